package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.spi.IdempotencyStore;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency keys in memory, with the JDBC store's contract: a claim records its tenant id, a claim found in
 * progress reports it, release keeps completed keys. Operations {@code "claim"}, {@code "complete"} and
 * {@code "release"} can be failed through {@link #faults()}. Thread-safe (one lock).
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    private final Faults faults = new Faults();
    private final Map<String, String> hashes = new HashMap<>();
    private final Map<String, UUID> tenants = new HashMap<>();
    private final Map<String, Boolean> completed = new HashMap<>();

    public Faults faults() {
        return faults;
    }

    @Override
    public synchronized Claim claim(String key, String requestHash, UUID tenantId) throws SQLException {
        faults.check("claim");
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
        faults.check("complete");
        tenants.put(key, tenantId);
        completed.put(key, true);
    }

    @Override
    public synchronized void release(String key) throws SQLException {
        faults.check("release");
        if (!completed.containsKey(key)) {
            hashes.remove(key);
            tenants.remove(key);
        }
    }

    /** True when {@code key} is held, in progress or completed. */
    public synchronized boolean holds(String key) {
        return hashes.containsKey(key);
    }

    /** True when {@code key} recorded its request's end. */
    public synchronized boolean completed(String key) {
        return completed.containsKey(key);
    }
}
