package io.tenantdb.provisioning.example;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A PostgreSQL cluster kept in the data directory, for the zero-setup mode. Durable ({@code fsync},
 * {@code synchronous_commit} and {@code full_page_writes} on), listening on localhost only, on a port chosen on
 * the first start and kept (tenants' stored connection strings name it). Password authentication
 * (SCRAM-SHA-256) is enforced for every role, so a tenant's stored credentials are really what admits it.
 *
 * <p>Thread-safe; {@link #close()} stops the server.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    /** The port tried first on a fresh data directory. */
    public static final int PREFERRED_PORT = 54329;

    private static final String SUPERUSER = "postgres";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final String HBA = """
            # Written by tenantdb provisioning-example: every role authenticates with its password.
            local   all   all                 scram-sha-256
            host    all   all   127.0.0.1/32  scram-sha-256
            host    all   all   ::1/128       scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final Configuration.Database admin;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Configuration.Database admin) {
        this.postgres = postgres;
        this.admin = admin;
    }

    /**
     * Starts the cluster in {@code directory}, creating it on the first call.
     *
     * @throws IOException  when the server cannot be started or its files cannot be written
     * @throws SQLException when the server refuses the set-up statements
     */
    public static EmbeddedDatabase start(DataDirectory directory) throws IOException, SQLException {
        String password = directory.valueOf(DataDirectory.POSTGRES_PASSWORD_FILE, () -> directory.randomSecret(32));
        String portText = directory.valueOf(DataDirectory.POSTGRES_PORT_FILE,
                () -> Integer.toString(freePort(PREFERRED_PORT)));
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IOException(directory.root().resolve(DataDirectory.POSTGRES_PORT_FILE) + " does not hold a port");
        }
        EmbeddedPostgres postgres;
        try {
            postgres = builder(directory, port, password).start();
        } catch (IllegalStateException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("could not lock")) {
                throw e;
            }
            // zonky's lock file: another process runs a server on this directory.
            throw new IOException(
                    "the data directory " + directory.root() + " is in use by another running instance", e);
        }
        try {
            requirePasswords(postgres, directory.pgdata(), password);
        } catch (IOException | SQLException | RuntimeException e) {
            postgres.close();
            throw e;
        }
        Configuration.Database admin = new Configuration.Database("localhost", postgres.getPort(), SUPERUSER,
                SUPERUSER, Optional.of(password), Map.of());
        return new EmbeddedDatabase(postgres, admin);
    }

    private static EmbeddedPostgres.Builder builder(DataDirectory directory, int port, String password) {
        return EmbeddedPostgres.builder()
                .setDataDirectory(directory.pgdata())
                .setCleanDataDirectory(false)
                .setPort(port)
                // The library's 10 s is short for a first start (initdb) on a loaded or slow machine.
                .setPGStartupWait(STARTUP_WAIT)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setConnectConfig("password", password)
                // The application stops the server itself, after HTTP requests have drained.
                .setRegisterShutdownHook(false);
    }

    /** The superuser connection on the maintenance database, which also holds the control plane. */
    public Configuration.Database admin() {
        return admin;
    }

    /** The TCP port the server listens on. */
    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    // initdb trusts every local connection; from the first start on, the superuser gets the generated password
    // and pg_hba.conf demands passwords. Idempotent, so an interrupted first start is finished by the next.
    private static void requirePasswords(EmbeddedPostgres postgres, Path pgdata, String password)
            throws IOException, SQLException {
        DataSource superuser = postgres.getPostgresDatabase();
        try (Connection connection = superuser.getConnection()) {
            // Sends a SCRAM verifier computed here, never the password itself.
            connection.unwrap(PGConnection.class).alterUserPassword(SUPERUSER, password.toCharArray(), null);
            Path hba = pgdata.resolve("pg_hba.conf");
            if (!HBA.equals(Files.readString(hba, StandardCharsets.UTF_8))) {
                Files.writeString(hba, HBA, StandardCharsets.UTF_8);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT pg_reload_conf()");
                }
            }
        }
    }

    private static int freePort(int preferred) {
        for (int candidate : new int[] {preferred, 0}) {
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                // taken: fall through to any free port
            }
        }
        throw new IllegalStateException("no free TCP port on localhost");
    }
}
