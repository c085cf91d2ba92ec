package io.tenantdb.provisioning.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import javax.sql.DataSource;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * One real PostgreSQL server per JVM for integration tests, started on first use and stopped by a shutdown hook.
 * The server comes from, in this order:
 * <ol>
 *   <li>{@code PROVISIONING_TEST_JDBC_URL}: an admin JDBC URL (needs CREATEDB and CREATEROLE); user and password
 *       in its query or in {@code PROVISIONING_TEST_USER} / {@code PROVISIONING_TEST_PASSWORD};</li>
 *   <li>Testcontainers ({@code postgres:16-alpine}) when a Docker engine answers;</li>
 *   <li>an embedded PostgreSQL (io.zonky.test), whose {@code pg_hba.conf} trusts only the admin and makes every
 *       other role authenticate with SCRAM, so tests of tenant passwords mean something.</li>
 * </ol>
 * Which one was used is logged once and returned by {@link #source()}. Thread-safe: tests may share the instance.
 */
public final class TestPostgres {

    /** Names the admin JDBC URL of an existing server; the highest-priority source. */
    public static final String JDBC_URL_VARIABLE = "PROVISIONING_TEST_JDBC_URL";

    private static final Logger LOG = System.getLogger(TestPostgres.class.getName());
    private static final Pattern DATABASE_PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,40}");
    private static final String MAINTENANCE_DATABASE = "postgres";
    private static final String IMAGE = "postgres:16-alpine";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long an embedded server may take to start: the library's 10 s is short on a loaded machine. */
    static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final String source;
    private final String host;
    private final int port;
    private final String adminDatabase;
    private final String adminUser;
    private final String adminPassword;
    private final DataSource adminDataSource;

    TestPostgres(String source, String host, int port, String adminDatabase, String adminUser,
                 String adminPassword) {
        this.source = source;
        this.host = host;
        this.port = port;
        this.adminDatabase = adminDatabase;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.adminDataSource = dataSource(adminDatabase);
    }

    /**
     * Returns the server of this JVM, starting it on the first call.
     *
     * @throws IllegalStateException when no source could provide a server
     */
    public static TestPostgres get() {
        return Holder.INSTANCE;
    }

    /**
     * Where the server came from: {@code "environment"}, {@code "testcontainers"} or {@code "embedded"}; a
     * {@link DedicatedPostgres} says {@code "dedicated"}.
     */
    public String source() {
        return source;
    }

    /** The host tenants and tests connect to. */
    public String host() {
        return host;
    }

    /** The TCP port tenants and tests connect to. */
    public int port() {
        return port;
    }

    /** The admin role: it can create databases and roles. */
    public String adminUser() {
        return adminUser;
    }

    /** The admin role's password; for tests only, never log it. */
    public String adminPassword() {
        return adminPassword;
    }

    /** Returns {@code jdbc:postgresql://host:port/database}, without credentials. */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        String literalHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + literalHost + ":" + port + "/" + database;
    }

    /** Admin connections to the maintenance database (normally {@code postgres}). */
    public DataSource adminDataSource() {
        return adminDataSource;
    }

    /** Admin connections to {@code database}. Unpooled: every {@code getConnection()} opens a new session. */
    public DataSource dataSource(String database) {
        return dataSource(database, adminUser, adminPassword);
    }

    /** Connections to {@code database} as another role, e.g. a test's own admin. Unpooled, like the admin's. */
    public DataSource dataSource(String database, String user, String password) {
        return dataSource(host, port, database, user, password);
    }

    /**
     * Unpooled connections to any server, for code that has no {@code TestPostgres} (a child JVM). Every
     * {@code getConnection()} opens a new session.
     */
    public static DataSource dataSource(String host, int port, String database, String user, String password) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {host});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName(database);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        dataSource.setApplicationName("tenantdb-tests");
        return dataSource;
    }

    /**
     * Creates an empty database named {@code prefix} followed by a random suffix.
     *
     * @return the new database's name
     * @throws IllegalArgumentException unless {@code prefix} is lower-case letters, digits and underscores,
     *                                  starting with a letter
     * @throws IllegalStateException    when the server refuses
     */
    public String createDatabase(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!DATABASE_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must match " + DATABASE_PREFIX.pattern());
        }
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        String name = prefix + HexFormat.of().formatHex(suffix);
        try (Connection connection = adminDataSource.getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("creating test database " + name + " failed", e);
        }
        return name;
    }

    /**
     * Drops a database if it exists, ending its sessions ({@code WITH (FORCE)}).
     *
     * @throws IllegalStateException when the server refuses
     */
    public void dropDatabase(String name) {
        Objects.requireNonNull(name, "name");
        try (Connection connection = adminDataSource.getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS \"" + name.replace("\"", "\"\"") + "\" WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("dropping test database " + name + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "TestPostgres[source=" + source + ", " + host + ":" + port + "]";
    }

    // The lazy holder idiom: the JVM initializes INSTANCE once, on first use, without explicit locking.
    private static final class Holder {
        static final TestPostgres INSTANCE = start();
    }

    private static TestPostgres start() {
        long started = System.nanoTime();
        TestPostgres server = fromEnvironment();
        if (server == null) {
            server = fromTestcontainers();
        }
        if (server == null) {
            server = embedded();
        }
        LOG.log(Level.INFO, "test PostgreSQL from {0} at {1}:{2,number,#} ready in {3} ms", server.source,
                server.host, server.port, (System.nanoTime() - started) / 1_000_000);
        return server;
    }

    private static TestPostgres fromEnvironment() {
        String url = System.getenv(JDBC_URL_VARIABLE);
        if (url == null || url.isBlank()) {
            return null;
        }
        Properties parsed = Driver.parseURL(url, null);
        if (parsed == null) {
            // The URL may hold a password: say which variable is wrong, never what it holds.
            throw new IllegalStateException(JDBC_URL_VARIABLE + " is not a jdbc:postgresql:// URL");
        }
        String user = firstNonBlank(parsed.getProperty("user"), System.getenv("PROVISIONING_TEST_USER"));
        String password = firstNonBlank(parsed.getProperty("password"), System.getenv("PROVISIONING_TEST_PASSWORD"));
        if (user == null) {
            throw new IllegalStateException(JDBC_URL_VARIABLE + " needs a user in its query or PROVISIONING_TEST_USER");
        }
        String host = parsed.getProperty("PGHOST").split(",")[0];
        int port = Integer.parseInt(parsed.getProperty("PGPORT").split(",")[0]);
        String database = firstNonBlank(parsed.getProperty("PGDBNAME"), MAINTENANCE_DATABASE);
        return new TestPostgres("environment", host, port, database, user, password == null ? "" : password);
    }

    private static TestPostgres fromTestcontainers() {
        if (!dockerMayBeReachable()) {
            LOG.log(Level.DEBUG, "no Docker endpoint configured or present; skipping Testcontainers");
            return null;
        }
        long probeStarted = System.nanoTime();
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            available = false;
        }
        LOG.log(Level.DEBUG, "Docker probe answered {0} in {1} ms", available,
                (System.nanoTime() - probeStarted) / 1_000_000);
        if (!available) {
            return null;
        }
        PostgreSQLContainer container = new PostgreSQLContainer(IMAGE);
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-postgres-stop"));
        return new TestPostgres("testcontainers", container.getHost(), container.getMappedPort(5432),
                MAINTENANCE_DATABASE, container.getUsername(), container.getPassword());
    }

    /**
     * Testcontainers walks several discovery strategies, each with its own timeouts, before it gives up. When no
     * Docker endpoint is configured and no well-known socket file exists, none of them can succeed, so the probe is
     * skipped and a machine without Docker starts its embedded server at once.
     */
    static boolean dockerMayBeReachable() {
        if (System.getenv("DOCKER_HOST") != null || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") != null) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        if (Files.exists(Path.of(home, ".testcontainers.properties"))) {
            return true;
        }
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        return Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
                || Files.exists(Path.of(home, ".colima", "default", "docker.sock"))
                || runtimeDir != null && (Files.exists(Path.of(runtimeDir, "docker.sock"))
                || Files.exists(Path.of(runtimeDir, "podman", "podman.sock")))
                || System.getProperty("os.name", "").startsWith("Windows");
    }

    private static TestPostgres embedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(STARTUP_WAIT)
                    .setDataDirectoryCustomizer(TestPostgres::requireScramForTenants)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "stopping the embedded test PostgreSQL failed", e);
                }
            }, "test-postgres-stop"));
            // Trust authentication ignores the password; the admin uses it and keeps this placeholder.
            return new TestPostgres("embedded", "localhost", postgres.getPort(), MAINTENANCE_DATABASE, "postgres",
                    "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("starting the embedded test PostgreSQL failed", e);
        }
    }

    // initdb ran with "-A trust"; only the admin keeps trust so that tenant roles must prove their password.
    private static void requireScramForTenants(File dataDirectory) {
        String hba = String.join("\n",
                "local all postgres trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust",
                "local all all scram-sha-256",
                "host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256",
                "");
        try {
            Files.writeString(dataDirectory.toPath().resolve("pg_hba.conf"), hba);
        } catch (IOException e) {
            throw new UncheckedIOException("writing pg_hba.conf failed", e);
        }
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first;
        }
        return second == null || second.isBlank() ? null : second;
    }
}
