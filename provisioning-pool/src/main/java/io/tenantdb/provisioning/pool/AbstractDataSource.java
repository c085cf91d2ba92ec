package io.tenantdb.provisioning.pool;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/** The parts of {@link DataSource} this module's data sources share: no log writer, no login timeout of its own. */
abstract class AbstractDataSource implements DataSource {

    @Override
    public java.sql.Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("tenant credentials come from the control plane");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Logging goes through System.Logger and HikariCP's slf4j.
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // Connect timeouts are the pool's; HikariCP calls this with its own, which it enforces itself.
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
