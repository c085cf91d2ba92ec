package io.tenantdb.provisioning.postgres;

/**
 * When a warm pool's keeper may make or drop entries after claims: not during the first refill delay of a burst of
 * claims, so the burst is served at claim speed (a refill's {@code CREATE DATABASE} writes the write-ahead log every
 * claim's commit would wait behind); after that, or once claims have paused for the delay, at once, so that claims
 * that never pause cannot starve the refill. Times are {@link System#nanoTime()} values passed in. Thread-safe.
 */
final class RefillGate {

    private final long delayNanos;
    private boolean inBurst;
    private long burstStart;
    private long lastClaim;

    RefillGate(long delayNanos) {
        this.delayNanos = delayNanos;
    }

    /** Records a claim that took an entry at {@code now}. */
    synchronized void claimed(long now) {
        if (!inBurst) {
            inBurst = true;
            burstStart = now;
        }
        lastClaim = now;
    }

    /** How long the keeper must still wait at {@code now}: 0 when it may refill. */
    synchronized long waitNanos(long now) {
        if (!inBurst) {
            return 0;
        }
        if (now - lastClaim >= delayNanos) {
            inBurst = false;
            return 0;
        }
        return Math.max(0, burstStart + delayNanos - now);
    }
}
