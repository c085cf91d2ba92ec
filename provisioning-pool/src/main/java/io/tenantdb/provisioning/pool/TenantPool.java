package io.tenantdb.provisioning.pool;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.tenantdb.provisioning.ProvisioningException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One tenant's HikariCP pool and the count of its borrowers. A pool is retired (after which nobody can borrow from
 * it) only while nobody borrows, except when the tenant was deleted; so closing an unused pool never fails a request.
 * Thread-safe.
 */
final class TenantPool {

    // Far below zero, so that borrowers returning after a forced retirement keep it negative.
    private static final int RETIRED = Integer.MIN_VALUE / 2;
    // While the idle connections are evicted: borrowers wait until it is over (see evictIfUnused).
    private static final int EVICTING = -1;

    private final BudgetedDataSource logins;
    private final HikariDataSource hikari;
    // Borrowers of the pool now; negative once retired.
    private final AtomicInteger borrowers = new AtomicInteger();
    private volatile long lastUsedNanos = System.nanoTime();

    TenantPool(BudgetedDataSource logins, HikariConfig config) {
        config.setDataSource(logins);
        this.logins = logins;
        this.hikari = new HikariDataSource(config);
    }

    /**
     * Borrows a connection; the caller closes it.
     *
     * @return empty when the pool was retired meanwhile (take the tenant's new pool)
     */
    Optional<Connection> borrow() throws SQLException {
        if (!enter()) {
            return Optional.empty();
        }
        try {
            return Optional.of(CloseHook.wrap(hikari.getConnection(), this::leave));
        } catch (SQLException | RuntimeException e) {
            leave();
            throw e;
        }
    }

    boolean isRetired() {
        return borrowers.get() < EVICTING;
    }

    /** Retires the pool unless someone borrows from it now. */
    boolean retireIfUnused() {
        return borrowers.compareAndSet(0, RETIRED);
    }

    /** Retires the pool whoever borrows (the tenant is gone); closing it then ends their connections. */
    void retire() {
        borrowers.set(RETIRED);
    }

    /** Closes the pool and its connections; call after retiring it. */
    void close() {
        hikari.close();
    }

    /**
     * Closes the idle connections, unless someone borrows from the pool now; the pool stays usable.
     *
     * @return whether they were closed
     */
    boolean evictIfUnused() {
        // HikariCP's eviction also marks the lent connections and closes them on return instead of handing them to a
        // waiter; with no minimum idle it starts no replacement, so the waiter would sit out its whole timeout. A
        // check of the lent count before evicting races a borrow; holding borrowers off while evicting does not.
        if (!borrowers.compareAndSet(0, EVICTING)) {
            return false;
        }
        try {
            HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
            if (pool != null) {
                pool.softEvictConnections();
            }
            return true;
        } finally {
            // Unless retired meanwhile (the tenant was deleted), which then stays.
            borrowers.compareAndSet(EVICTING, 0);
        }
    }

    int activeConnections() {
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        return pool == null ? 0 : pool.getActiveConnections();
    }

    int idleConnections() {
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        return pool == null ? 0 : pool.getIdleConnections();
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    void credentialsRotated() {
        logins.invalidate();
    }

    Optional<ProvisioningException> gone() {
        return logins.gone();
    }

    private boolean enter() {
        while (true) {
            int now = borrowers.get();
            if (now == EVICTING) {
                // Brief: HikariCP closes the evicted connections on its own closer thread.
                Thread.yield();
                continue;
            }
            if (now < 0) {
                return false;
            }
            if (borrowers.compareAndSet(now, now + 1)) {
                lastUsedNanos = System.nanoTime();
                return true;
            }
        }
    }

    private void leave() {
        borrowers.decrementAndGet();
        lastUsedNanos = System.nanoTime();
    }
}
