package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.crypto.EncryptionKey;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything behind the HTTP server, from a {@link Configuration}: an embedded PostgreSQL when no
 * {@code DATABASE_URL} is given (with its key and token kept in the data directory), and the
 * {@link ProvisioningApplication}. Shared by {@code serve}, the operational commands and the benchmark
 * (provisioning-bench).
 *
 * <p>Thread-safe; {@link #close()} closes the pool, then stops the embedded server.
 */
public final class Backends implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private final Optional<EmbeddedDatabase> embedded;
    private final ProvisioningApplication application;
    private final String adminToken;
    private final Optional<Path> dataDirectory;
    private final PostgresUrl admin;

    private Backends(Optional<EmbeddedDatabase> embedded, ProvisioningApplication application, String adminToken,
                     Optional<Path> dataDirectory, PostgresUrl admin) {
        this.embedded = embedded;
        this.admin = admin;
        this.application = application;
        this.adminToken = adminToken;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts the database side; on failure, stops what was already started.
     *
     * @throws Exception when any part cannot start (PostgreSQL unreachable, data directory unwritable or in use)
     */
    public static Backends open(Configuration configuration) throws Exception {
        Objects.requireNonNull(configuration, "configuration");
        Optional<EmbeddedDatabase> embedded = Optional.empty();
        try {
            PostgresUrl admin;
            EncryptionKey key;
            String token;
            Optional<Path> dataDirectory = Optional.empty();
            if (configuration.embedded()) {
                DataDirectory directory = DataDirectory.open(configuration.dataDirectory());
                dataDirectory = Optional.of(directory.root());
                key = configuration.encryptionKey().isPresent() ? configuration.encryptionKey().get()
                        : EncryptionKey.fromBase64(
                                directory.valueOf(DataDirectory.ENCRYPTION_KEY_FILE, directory::randomKey));
                token = configuration.adminToken().isPresent() ? configuration.adminToken().get()
                        : directory.valueOf(DataDirectory.ADMIN_TOKEN_FILE, () -> directory.randomSecret(32));
                LOG.log(System.Logger.Level.INFO, "starting the embedded PostgreSQL in {0}", directory.pgdata());
                embedded = Optional.of(EmbeddedDatabase.start(directory));
                admin = embedded.get().admin();
            } else {
                admin = configuration.database().orElseThrow();
                key = configuration.encryptionKey().orElseThrow();
                token = configuration.adminToken().orElseThrow();
            }
            ProvisioningApplication application = ProvisioningApplication.start(configuration, admin, key);
            return new Backends(embedded, application, token, dataDirectory, admin);
        } catch (Exception | Error e) {
            stop(embedded, e);
            throw e;
        }
    }

    /** The provisioning side. */
    public ProvisioningApplication application() {
        return application;
    }

    /** The bearer token {@code /api/v1/*} expects. */
    public String adminToken() {
        return adminToken;
    }

    /** True when running on the embedded PostgreSQL. */
    public boolean embedded() {
        return embedded.isPresent();
    }

    /** The embedded mode's data directory, or empty with {@code DATABASE_URL}. */
    public Optional<Path> dataDirectory() {
        return dataDirectory;
    }

    /** The admin connection settings (embedded or from {@code DATABASE_URL}); its password is redacted by toString. */
    public PostgresUrl admin() {
        return admin;
    }

    /** Closes the pool, then stops the embedded PostgreSQL. */
    @Override
    public void close() {
        application.close();
        stop(embedded, null);
    }

    private static void stop(Optional<EmbeddedDatabase> embedded, Throwable startFailure) {
        if (embedded.isEmpty()) {
            return;
        }
        try {
            embedded.get().close();
        } catch (IOException | RuntimeException e) {
            if (startFailure != null) {
                startFailure.addSuppressed(e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "embedded PostgreSQL did not stop cleanly: {0}",
                        e.getClass().getSimpleName());
            }
        }
    }
}
