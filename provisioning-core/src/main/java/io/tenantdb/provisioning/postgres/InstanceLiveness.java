package io.tenantdb.provisioning.postgres;

import javax.sql.DataSource;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A signal that this instance lives, which PostgreSQL itself ends when the process dies: a {@link SessionLock} on a
 * random key. Leases record the key; a reconciler that finds the lock free knows the lease's owner is gone and
 * reclaims it at once. Taken on first use; a daemon thread checks the session every {@value #CHECK_SECONDS} s and
 * takes the lock again if the session was lost. Thread-safe.
 */
final class InstanceLiveness implements AutoCloseable {

    private static final Logger LOG = System.getLogger(InstanceLiveness.class.getName());
    private static final int CHECK_SECONDS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    // Positive, so pg_locks shows it as (classid, objid) = (key >>> 32, key & 0xffffffff) without sign tricks.
    private final long key = RANDOM.nextLong() & Long.MAX_VALUE;
    private SessionLock lock;
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
        if (lock == null) {
            try {
                lock = take();
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "liveness lock not taken, leases fall back to expiry: {0}", LogSafe.describe(e));
                return Optional.empty();
            }
            startChecker();
        }
        return Optional.of(key);
    }

    private SessionLock take() throws SQLException {
        // 2^63 keys: another holder means the same random key twice, not a race worth handling.
        return SessionLock.tryTake(dataSource, key)
                .orElseThrow(() -> new SQLException("liveness lock key already held", "55P03"));
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
        if (closed || lock == null || lock.isHeld(CHECK_SECONDS)) {
            return;
        }
        release();
        try {
            lock = take();
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
        release();
    }

    private void release() {
        if (lock != null) {
            try {
                lock.close();
            } catch (SQLException e) {
                // The session is gone, and the lock with it.
                LOG.log(Level.DEBUG, "liveness session ended uncleanly: {0}", LogSafe.describe(e));
            }
            lock = null;
        }
    }
}
