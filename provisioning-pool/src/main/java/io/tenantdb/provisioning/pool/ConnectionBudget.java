package io.tenantdb.provisioning.pool;

import java.sql.SQLTransientConnectionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The permits of the global connection budget: one per physical server connection, taken before the socket is
 * opened and given back only after the server has closed its side (see {@link DrainingSocketFactory}). Fair, so a
 * tenant waiting for a permit is not overtaken forever. Thread-safe.
 */
final class ConnectionBudget {

    /** How long a waiter sleeps between asks to reclaim an idle connection elsewhere. */
    private static final long RECLAIM_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final int max;
    private final Semaphore permits;

    ConnectionBudget(int max) {
        this.max = max;
        this.permits = new Semaphore(max, true);
    }

    /**
     * Takes a permit, asking {@code reclaim} to close an idle connection of another tenant whenever none is free.
     *
     * @throws SQLTransientConnectionException when no permit came free within {@code timeoutNanos}
     * @throws InterruptedException            when interrupted while waiting
     */
    void acquire(long timeoutNanos, Runnable reclaim) throws SQLTransientConnectionException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        // tryAcquire() would take a permit ahead of those already waiting; with a zero timeout it keeps the order.
        while (!permits.tryAcquire(0, TimeUnit.NANOSECONDS)) {
            reclaim.run();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SQLTransientConnectionException(
                        "the tenant connection budget of " + max + " is in use", "53300");
            }
            if (permits.tryAcquire(Math.min(left, RECLAIM_INTERVAL_NANOS), TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    void release() {
        permits.release();
    }

    /** Physical connections open or being opened now. */
    int inUse() {
        return max - permits.availablePermits();
    }

    int max() {
        return max;
    }
}
