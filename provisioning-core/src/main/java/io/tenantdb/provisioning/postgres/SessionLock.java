package io.tenantdb.provisioning.postgres;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A session-level advisory lock held on a connection of its own, as long as this object is open. PostgreSQL releases
 * it when the session ends, whatever ends it. {@link #close()} unlocks explicitly before giving the connection back,
 * since a pooled connection keeps its session. Not thread-safe; its owner synchronizes.
 */
final class SessionLock implements AutoCloseable {

    private final Connection connection;
    private final long key;

    private SessionLock(Connection connection, long key) {
        this.connection = connection;
        this.key = key;
    }

    /**
     * Takes the lock on a fresh connection from {@code dataSource}, without waiting.
     *
     * @return the held lock, or empty when another session holds it
     */
    static Optional<SessionLock> tryTake(DataSource dataSource, long key) throws SQLException {
        Connection connection = dataSource.getConnection();
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            connection.setAutoCommit(true);
            lock.setLong(1, key);
            try (ResultSet rs = lock.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return Optional.of(new SessionLock(connection, key));
                }
            }
            connection.close();
            return Optional.empty();
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** True while the session that holds the lock still answers. */
    boolean isHeld(int timeoutSeconds) {
        try {
            return connection.isValid(timeoutSeconds);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Unlocks and gives the connection back; a session already gone took the lock with it. */
    @Override
    public void close() throws SQLException {
        try (Connection held = connection;
             PreparedStatement unlock = held.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            unlock.setLong(1, key);
            unlock.execute();
        }
    }
}
