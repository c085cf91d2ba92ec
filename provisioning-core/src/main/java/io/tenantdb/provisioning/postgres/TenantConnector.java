package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens fresh, unpooled JDBC connections as a tenant's own role, with bounded connect and socket timeouts so a
 * hung server fails the call instead of hanging it. Needs the PostgreSQL JDBC driver on the class path.
 * Immutable and thread-safe.
 */
public final class TenantConnector {

    private final int connectTimeoutSeconds;
    private final int socketTimeoutSeconds;

    /**
     * @param connectTimeout bound on establishing the connection, at least one second
     * @param socketTimeout  bound on waiting for any single reply, at least one second
     * @throws IllegalArgumentException when a timeout is under one second
     */
    public TenantConnector(Duration connectTimeout, Duration socketTimeout) {
        this.connectTimeoutSeconds = seconds(connectTimeout, "connectTimeout");
        this.socketTimeoutSeconds = seconds(socketTimeout, "socketTimeout");
    }

    /** A connector with 10-second connect and 30-second socket timeouts. */
    public static TenantConnector withDefaults() {
        return new TenantConnector(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /**
     * Opens a connection; the caller closes it.
     *
     * @throws SQLException when the server refuses or does not answer in time
     */
    public Connection open(ConnectionDetails details) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", details.user());
        properties.setProperty("password", details.password());
        properties.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        properties.setProperty("loginTimeout", Integer.toString(connectTimeoutSeconds));
        properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        properties.setProperty("ApplicationName", "tenantdb-provisioning");
        return DriverManager.getConnection(details.toJdbcUrl(), properties);
    }

    private static int seconds(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.getSeconds() < 1) {
            throw new IllegalArgumentException(name + " must be at least one second");
        }
        return (int) Math.min(Integer.MAX_VALUE, timeout.getSeconds());
    }
}
