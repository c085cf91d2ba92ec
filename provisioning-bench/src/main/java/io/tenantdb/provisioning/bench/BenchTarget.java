package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.example.Backends;
import io.tenantdb.provisioning.example.Configuration;
import io.tenantdb.provisioning.example.ExampleServer;
import io.tenantdb.provisioning.example.ProvisioningApplication;
import io.tenantdb.provisioning.postgres.OwnershipMark;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * The system under test, started in-process with the example's own wiring: the PostgreSQL server (from
 * {@code DATABASE_URL}, or an embedded one with fsync on in a throwaway directory), the
 * {@link ProvisioningApplication} and the Jetty {@link ExampleServer} on an ephemeral port. The encryption key
 * and bearer token are generated for the run unless the environment sets them: everything sealed with them is
 * removed at the end.
 *
 * <p>Thread-safe after start; {@link #stopApplication()} stops Jetty and the pool, and {@link #close()} also stops
 * the embedded database and deletes a temporary data directory.
 */
final class BenchTarget implements AutoCloseable {

    /** {@code application_name} of every connection the bench itself opens on the admin database. */
    static final String BENCH_APPLICATION = "tenantdb-bench";

    private final Backends backends;
    private final Optional<Path> temporaryDirectory;
    private final String tenantHost;
    private final int tenantPort;
    private final ExampleServer server;
    private volatile boolean applicationStopped;

    private BenchTarget(Backends backends, Optional<Path> temporaryDirectory, String tenantHost, int tenantPort,
                        ExampleServer server) {
        this.backends = backends;
        this.temporaryDirectory = temporaryDirectory;
        this.tenantHost = tenantHost;
        this.tenantPort = tenantPort;
        this.server = server;
    }

    /**
     * Starts everything through the example's own {@link Backends}; on failure stops what was started. No
     * reconciler runs: the bench measures provisioning alone, and removes what it creates itself.
     *
     * @throws Exception when the database, the pool or Jetty cannot start, or the configuration is invalid
     */
    static BenchTarget start(Map<String, String> environment, Optional<Path> dataDirectory) throws Exception {
        SecureRandom random = new SecureRandom();
        Map<String, String> variables = new HashMap<>(environment);
        Optional<Path> temporary = Optional.empty();
        if (variables.containsKey("DATABASE_URL")) {
            // With an external server the example insists on a key and a token; this run's are throwaway.
            variables.putIfAbsent("ENCRYPTION_KEY", Base64.getEncoder().encodeToString(bytes(random, 32)));
            variables.putIfAbsent("ADMIN_TOKEN",
                    Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 32)));
        } else {
            Path root = dataDirectory.isPresent() ? dataDirectory.get() : Files.createTempDirectory("tenantdb-bench-");
            temporary = dataDirectory.isPresent() ? Optional.empty() : Optional.of(root);
            variables.put("PROVISIONING_DATA_DIR", root.toString());
        }
        Configuration configuration = Configuration.from(variables);
        Backends backends = null;
        try {
            backends = Backends.open(configuration);
            PostgresUrl admin = backends.admin();
            ExampleServer server = ExampleServer.start(backends.application(), backends.adminToken(), 0);
            return new BenchTarget(backends, temporary, configuration.tenantDbHost().orElse(admin.host()),
                    configuration.tenantDbPort().orElse(admin.portOrDefault()), server);
        } catch (Exception | Error e) {
            if (backends != null) {
                backends.close();
            }
            temporary.ifPresent(BenchTarget::deleteQuietly);
            throw e;
        }
    }

    /** Opens an admin connection (autocommit) on the database holding the control plane. */
    Connection openAdmin(String applicationName) throws SQLException {
        PostgresUrl admin = backends.admin();
        Properties properties = new Properties();
        admin.jdbcProperties().forEach(properties::setProperty);
        properties.setProperty("user", admin.user().orElseThrow());
        admin.password().ifPresent(password -> properties.setProperty("password", password));
        properties.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(admin.jdbcUrl(), properties);
    }

    /** The admin connection settings. */
    PostgresUrl admin() {
        return backends.admin();
    }

    /** JDBC URL of a tenant database at the endpoint tenants are given. */
    String tenantJdbcUrl(String database) {
        String host = tenantHost.indexOf(':') >= 0 ? "[" + tenantHost + "]" : tenantHost;
        return PostgresUrl.jdbcUrl(host, tenantPort, database);
    }

    /** The application under test. */
    ProvisioningApplication application() {
        return backends.application();
    }

    /** The HTTP port Jetty bound. */
    int httpPort() {
        return server.port();
    }

    /** The bearer token of {@code /api/v1/*}. */
    String token() {
        return backends.adminToken();
    }

    /** The mark the application's control plane puts on what it creates, for the bench's own objects too. */
    String ownershipMark(UUID id) {
        return new OwnershipMark(backends.application().creator().controlPlaneId(), id).comment();
    }

    /** The encryption key the application seals with. */
    EncryptionKey key() {
        return backends.application().cipher().primaryKey();
    }

    /** "embedded PostgreSQL (…)" or "DATABASE_URL (host:port)", without credentials. */
    String describe() {
        PostgresUrl admin = backends.admin();
        return (backends.embedded() ? "embedded PostgreSQL" : "DATABASE_URL") + " at " + admin.host() + ":"
                + admin.portOrDefault() + "/" + admin.databaseOrUser();
    }

    /** Stops Jetty (draining requests in flight), then closes the application's pool. Idempotent. */
    void stopApplication() throws Exception {
        if (applicationStopped) {
            return;
        }
        applicationStopped = true;
        try {
            server.stop();
        } finally {
            backends.application().close();
        }
    }

    /** {@link #stopApplication()}, then stops the embedded server and deletes a temporary data directory. */
    @Override
    public void close() throws Exception {
        try {
            stopApplication();
        } finally {
            backends.close();
            temporaryDirectory.ifPresent(BenchTarget::deleteQuietly);
        }
    }

    private static byte[] bytes(SecureRandom random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static void deleteQuietly(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                    Files.delete(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("bench: could not delete " + root + ": " + e.getMessage());
        }
    }
}
