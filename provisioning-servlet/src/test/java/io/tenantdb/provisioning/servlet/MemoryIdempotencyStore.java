package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.spi.IdempotencyStore;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency keys in memory, with the same contract as the JDBC store: a claim records its tenant id, release
 * keeps completed keys. {@link #failNextComplete()} makes the next {@code complete} fail, as when the process dies
 * between the activation and the key's completion. Thread-safe (one lock).
 */
final class MemoryIdempotencyStore implements IdempotencyStore {

    private final Map<String, String> hashes = new HashMap<>();
    private final Map<String, UUID> tenants = new HashMap<>();
    private final Map<String, Boolean> completed = new HashMap<>();
    private boolean failNextComplete;

    synchronized void failNextComplete() {
        failNextComplete = true;
    }

    @Override
    public synchronized Claim claim(String key, String requestHash, UUID tenantId) {
        String known = hashes.putIfAbsent(key, requestHash);
        if (known == null) {
            tenants.put(key, tenantId);
            return new Claim(Outcome.CLAIMED, Optional.empty());
        }
        if (!known.equals(requestHash)) {
            return new Claim(Outcome.MISMATCH, Optional.empty());
        }
        return new Claim(completed.containsKey(key) ? Outcome.COMPLETED : Outcome.IN_PROGRESS,
                Optional.of(tenants.get(key)));
    }

    @Override
    public synchronized void complete(String key, UUID tenantId) throws SQLException {
        if (failNextComplete) {
            failNextComplete = false;
            throw new SQLException("lost", "08006");
        }
        tenants.put(key, tenantId);
        completed.put(key, true);
    }

    @Override
    public synchronized void release(String key) {
        if (!completed.containsKey(key)) {
            hashes.remove(key);
            tenants.remove(key);
        }
    }
}
