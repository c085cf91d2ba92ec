package io.tenantdb.provisioning.postgres;

import javax.sql.DataSource;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A signal that this instance lives, which PostgreSQL itself ends when the process dies: a session-level advisory
 * lock on a random key, held on a connection of its own. Leases record the key; a reconciler that finds the lock
 * free knows the lease's owner is gone and reclaims it at once. Taken on first use; a daemon thread checks the
 * connection every {@value #CHECK_SECONDS} s and takes the lock again if the session was lost. Thread-safe.
 */
final class InstanceLiveness implements AutoCloseable {

    private static final Logger LOG = System.getLogger(InstanceLiveness.class.getName());
    private static final int CHECK_SECONDS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    // Positive, so pg_locks shows it as (classid, objid) = (key >>> 32, key & 0xffffffff) without sign tricks.
    private final long key = RANDOM.nextLong() & Long.MAX_VALUE;
    private Connection session;
    private ScheduledExecutorService checker;
    private boolean closed;

    InstanceLiveness(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The lock key, when the lock is held now; empty when it cannot be taken (leases then rely on expiry alone). */
    synchronized Optional<Long> key() {
        if (closed) {
            return Optional.empty();
        }
        if (session == null) {
            try {
                session = lock();
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "liveness lock not taken, leases fall back to expiry: {0}", LogSafe.describe(e));
                return Optional.empty();
            }
            startChecker();
        }
        return Optional.of(key);
    }

    private Connection lock() throws SQLException {
        Connection connection = dataSource.getConnection();
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            connection.setAutoCommit(true);
            statement.setLong(1, key);
            try (ResultSet rs = statement.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return connection;
                }
            }
            // 2^63 keys: another holder means the same random key twice, not a race worth handling.
            throw new SQLException("liveness lock key already held", "55P03");
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void startChecker() {
        if (checker == null) {
            checker = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "tenantdb-liveness");
                thread.setDaemon(true);
                return thread;
            });
            checker.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** A lost session released the lock: take it again, so leases written since stay protected. */
    private synchronized void check() {
        if (closed || session == null) {
            return;
        }
        try {
            if (session.isValid(CHECK_SECONDS)) {
                return;
            }
        } catch (SQLException e) {
            // Treated as lost below.
        }
        closeQuietly(session);
        session = null;
        try {
            session = lock();
            LOG.log(Level.INFO, "liveness lock taken again after its session was lost");
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "liveness lock lost and not yet taken again: {0}", LogSafe.describe(e));
        }
    }

    /** Releases the lock: leases this instance still holds are then reclaimable at once. */
    @Override
    public synchronized void close() {
        closed = true;
        if (checker != null) {
            checker.shutdownNow();
        }
        if (session != null) {
            closeQuietly(session);
            session = null;
        }
    }

    private void closeQuietly(Connection connection) {
        // A pooled connection keeps its session (and the lock) when closed: unlock explicitly first.
        try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            unlock.setLong(1, key);
            unlock.execute();
        } catch (SQLException e) {
            // The session is gone, and the lock with it.
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.log(Level.DEBUG, "liveness connection did not close cleanly: {0}", LogSafe.describe(e));
        }
    }
}
