package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.PostgresUrl;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Opens fresh, unpooled JDBC connections as a tenant's own role, with bounded connect and socket timeouts so a
 * hung server fails the call instead of hanging it. Connects with exactly the {@code sslmode} the details state
 * (so a successful verification proves the stored string works), trusting the CA file of
 * {@link #withSslRootCert(Path)} when one is given. Uses the given PostgreSQL {@link Driver}, or else
 * {@link DriverManager} (which, inside a servlet container, only finds drivers the web application has loaded).
 * Immutable and thread-safe.
 */
public final class TenantConnector {

    private final Optional<Driver> driver;
    private final int connectTimeoutSeconds;
    private final int socketTimeoutSeconds;
    private final Optional<Path> sslRootCert;

    /**
     * A connector that finds the driver through {@link DriverManager}.
     *
     * @param connectTimeout bound on establishing the connection, at least one second
     * @param socketTimeout  bound on waiting for any single reply, at least one second
     * @throws IllegalArgumentException when a timeout is under one second
     */
    public TenantConnector(Duration connectTimeout, Duration socketTimeout) {
        this(Optional.empty(), connectTimeout, socketTimeout);
    }

    /**
     * A connector that uses {@code driver} directly, e.g. {@code new org.postgresql.Driver()}.
     *
     * @throws IllegalArgumentException when a timeout is under one second
     */
    public TenantConnector(Driver driver, Duration connectTimeout, Duration socketTimeout) {
        this(Optional.of(Objects.requireNonNull(driver, "driver")), connectTimeout, socketTimeout);
    }

    private TenantConnector(Optional<Driver> driver, Duration connectTimeout, Duration socketTimeout) {
        this.driver = driver;
        this.connectTimeoutSeconds = seconds(connectTimeout, "connectTimeout");
        this.socketTimeoutSeconds = seconds(socketTimeout, "socketTimeout");
        this.sslRootCert = Optional.empty();
    }

    private TenantConnector(TenantConnector template, Path sslRootCert) {
        this.driver = template.driver;
        this.connectTimeoutSeconds = template.connectTimeoutSeconds;
        this.socketTimeoutSeconds = template.socketTimeoutSeconds;
        this.sslRootCert = Optional.of(sslRootCert);
    }

    /** A connector with 10-second connect and 30-second socket timeouts. */
    public static TenantConnector withDefaults() {
        return new TenantConnector(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /**
     * Returns a connector like this one that checks server certificates against the CA certificates (PEM) in
     * {@code caFile}, pgjdbc's {@code sslrootcert}, under {@code sslmode} {@code verify-ca} and {@code verify-full}.
     * The file is read on every connect; its path is never part of a connection string.
     */
    public TenantConnector withSslRootCert(Path caFile) {
        return new TenantConnector(this, Objects.requireNonNull(caFile, "caFile"));
    }

    /**
     * Opens a connection; the caller closes it.
     *
     * @throws SQLException when the server refuses or does not answer in time
     */
    public Connection open(ConnectionDetails details) throws SQLException {
        return open(details, Map.of());
    }

    /**
     * Opens a connection with further pgjdbc properties, which win over the connector's own (e.g. another
     * {@code ApplicationName}); the caller closes it.
     *
     * @throws SQLException when the server refuses or does not answer in time
     */
    public Connection open(ConnectionDetails details, Map<String, String> overrides) throws SQLException {
        Objects.requireNonNull(overrides, "overrides");
        Properties properties = properties(details.user(), Optional.of(details.password()));
        sslRootCert.ifPresent(file -> properties.setProperty("sslrootcert", file.toString()));
        overrides.forEach(properties::setProperty);
        return connect(details.toJdbcUrl(), properties);
    }

    /**
     * Opens a connection as the role a URL names (a registered server's admin), with the URL's own parameters
     * (libpq spellings translated) over this connector's timeouts; the caller closes it. The CA file of
     * {@link #withSslRootCert(Path)} is not used: the URL states its own TLS settings.
     *
     * @throws SQLException when the server refuses or does not answer in time
     */
    public Connection open(PostgresUrl url) throws SQLException {
        Properties properties = properties(url.user().orElse(""), url.password());
        properties.putAll(url.jdbcProperties());
        return connect(url.jdbcUrl(), properties);
    }

    private Properties properties(String user, Optional<String> password) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        password.ifPresent(value -> properties.setProperty("password", value));
        properties.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        properties.setProperty("ApplicationName", "tenantdb-provisioning");
        return properties;
    }

    /** The connect timeout, in seconds. */
    int connectTimeoutSeconds() {
        return connectTimeoutSeconds;
    }

    private Connection connect(String jdbcUrl, Properties properties) throws SQLException {
        if (driver.isEmpty()) {
            return DriverManager.getConnection(jdbcUrl, properties);
        }
        Connection connection = driver.get().connect(jdbcUrl, properties);
        if (connection == null) {
            throw new SQLException("the driver does not accept jdbc:postgresql URLs", "08001");
        }
        return connection;
    }

    /**
     * The connections of {@link #open(ConnectionDetails)} for one tenant as a {@link DataSource}, for tools that take
     * one (Flyway). Each {@code getConnection()} opens a fresh connection; its {@code toString()} names the database
     * only.
     */
    public DataSource dataSource(ConnectionDetails details) {
        Objects.requireNonNull(details, "details");
        return dataSource(() -> open(details), "TenantDataSource[" + details.database() + "]");
    }

    /**
     * The connections of {@link #open(PostgresUrl)} as a {@link DataSource}: unpooled, as the role the URL names (a
     * registered server's admin). Its {@code toString()} names the hosts and database only.
     */
    public DataSource dataSource(PostgresUrl url) {
        Objects.requireNonNull(url, "url");
        return dataSource(() -> open(url), "AdminDataSource[" + url.jdbcUrl() + "]");
    }

    private static DataSource dataSource(TransientRetry.Action<Connection> opener, String description) {
        return new FixedCredentialsDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return opener.run();
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    private static int seconds(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.getSeconds() < 1) {
            throw new IllegalArgumentException(name + " must be at least one second");
        }
        return (int) Math.min(Integer.MAX_VALUE, timeout.getSeconds());
    }
}
