package io.tenantdb.provisioning.postgres;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * The parts of {@link DataSource} shared by data sources whose credentials the library chooses (a tenant's own role,
 * read from the control plane): no connection as another user, no log writer, no login timeout of their own (the
 * connector's or the pool's applies), and a wrapper of nothing but itself. Subclasses implement
 * {@link #getConnection()}.
 */
public abstract class FixedCredentialsDataSource implements DataSource {

    /** For subclasses. */
    protected FixedCredentialsDataSource() {
    }

    /** @throws SQLFeatureNotSupportedException always: the credentials are not the caller's to choose */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the credentials come from the control plane");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Logging goes through System.Logger; there is no writer to set.
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // The connector's or the pool's connect timeout applies.
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
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
