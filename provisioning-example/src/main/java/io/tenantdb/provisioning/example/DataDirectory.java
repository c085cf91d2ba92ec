package io.tenantdb.provisioning.example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The embedded mode's data directory: the PostgreSQL cluster in {@code pgdata/} and small files holding values
 * generated on the first start and reused on every later one ({@code encryption.key}, {@code admin.token},
 * {@code postgres.password}, {@code postgres.port}). The directory is created {@code rwx------} and every file
 * {@code rw-------} on file systems that support POSIX permissions.
 *
 * <p>Not thread-safe; one application instance owns a directory (PostgreSQL's own lock file enforces that).
 */
public final class DataDirectory {

    /** Base64 of the 32-byte AES key, the embedded {@code ENCRYPTION_KEY}. */
    public static final String ENCRYPTION_KEY_FILE = "encryption.key";
    /** The embedded {@code ADMIN_TOKEN}. */
    public static final String ADMIN_TOKEN_FILE = "admin.token";
    /** Password of the embedded cluster's {@code postgres} superuser. */
    public static final String POSTGRES_PASSWORD_FILE = "postgres.password";
    /** TCP port of the embedded cluster, kept because it is written into every tenant's connection string. */
    public static final String POSTGRES_PORT_FILE = "postgres.port";
    /** The PostgreSQL cluster. */
    public static final String PGDATA = "pgdata";

    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path root;
    private final boolean posix;
    private final SecureRandom random = new SecureRandom();

    private DataDirectory(Path root, boolean posix) {
        this.root = root;
        this.posix = posix;
    }

    /**
     * Opens the directory, creating it owner-only when absent.
     *
     * @throws IOException when it cannot be created, or exists and is not a directory
     */
    public static DataDirectory open(Path root) throws IOException {
        Objects.requireNonNull(root, "root");
        Path absolute = root.toAbsolutePath();
        boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(absolute)) {
            Files.createDirectories(absolute, posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_DIR)}
                    : new FileAttribute<?>[0]);
        }
        if (posix) {
            // Also tightens a directory an operator created by hand with the default umask.
            Files.setPosixFilePermissions(absolute, OWNER_DIR);
        }
        return new DataDirectory(absolute, posix);
    }

    /** The absolute path of the directory. */
    public Path root() {
        return root;
    }

    /** The PostgreSQL cluster directory inside it. */
    public Path pgdata() {
        return root.resolve(PGDATA);
    }

    /**
     * Returns the value kept in {@code fileName}, first writing {@code generator}'s value when the file is absent.
     *
     * @throws IOException when the file cannot be read or written
     */
    public String valueOf(String fileName, Supplier<String> generator) throws IOException {
        Path file = root.resolve(fileName);
        if (!Files.exists(file)) {
            write(file, generator.get());
        }
        String value = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (value.isEmpty()) {
            throw new IOException(file + " is empty; delete it to generate a new value");
        }
        return value;
    }

    /** A secret of {@code bytes} random bytes from {@link SecureRandom}, base64url without padding. */
    public String randomSecret(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** A 32-byte AES key from {@link SecureRandom}, standard base64 as {@code ENCRYPTION_KEY} takes it. */
    public String randomKey() {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    private void write(Path file, String value) throws IOException {
        // Written owner-only from the first byte, then moved into place, so a crash never leaves a half value
        // and no other user can ever read it.
        Path temp = posix
                ? Files.createTempFile(root, "." + file.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(OWNER_FILE))
                : Files.createTempFile(root, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temp, value + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(temp);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
