package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.spi.IdempotencyStore;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency keys in memory, with the same outcomes as the JDBC store. {@link #failNextComplete()} makes the next
 * {@code complete} fail, which leaves the key claimed: the way to observe {@code IN_PROGRESS} without threads.
 * Thread-safe (one lock).
 */
final class MemoryIdempotencyStore implements IdempotencyStore {

    private final Map<String, String> hashes = new HashMap<>();
    private final Map<String, UUID> tenants = new HashMap<>();
    private boolean failNextComplete;

    synchronized void failNextComplete() {
        failNextComplete = true;
    }

    @Override
    public synchronized Claim claim(String key, String requestHash) {
        String known = hashes.putIfAbsent(key, requestHash);
        if (known == null) {
            return new Claim(Outcome.CLAIMED, Optional.empty());
        }
        if (!known.equals(requestHash)) {
            return new Claim(Outcome.MISMATCH, Optional.empty());
        }
        UUID tenant = tenants.get(key);
        return tenant == null ? new Claim(Outcome.IN_PROGRESS, Optional.empty())
                : new Claim(Outcome.COMPLETED, Optional.of(tenant));
    }

    @Override
    public synchronized void complete(String key, UUID tenantId) throws SQLException {
        if (failNextComplete) {
            failNextComplete = false;
            throw new SQLException("lost", "08006");
        }
        tenants.put(key, tenantId);
    }

    @Override
    public synchronized void release(String key) {
        hashes.remove(key);
        tenants.remove(key);
    }
}
