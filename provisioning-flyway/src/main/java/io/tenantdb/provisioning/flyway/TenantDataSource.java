package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.postgres.TenantConnector;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * Fresh connections as one tenant's own role, through {@link TenantConnector} (its timeouts, {@code sslmode} and CA
 * file), for Flyway. Its {@code toString()} names the database only. Immutable and thread-safe.
 */
final class TenantDataSource implements DataSource {

    private final TenantConnector connector;
    private final ConnectionDetails details;

    TenantDataSource(TenantConnector connector, ConnectionDetails details) {
        this.connector = connector;
        this.details = details;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connector.open(details);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("connects as the tenant's own role only");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Connections are made by TenantConnector, which logs nothing.
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // TenantConnector's connect timeout applies.
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }

    @Override
    public String toString() {
        return "TenantDataSource[" + details.database() + "]";
    }
}
