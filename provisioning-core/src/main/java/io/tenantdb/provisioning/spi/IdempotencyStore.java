package io.tenantdb.provisioning.spi;

import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Optional: remembers {@code Idempotency-Key}s so a retried request returns the tenant the first one created
 * instead of failing as a duplicate. Implementations are thread-safe.
 */
public interface IdempotencyStore {

    /**
     * Claims {@code key} for a request whose canonical form hashes to {@code requestHash}, atomically.
     *
     * @throws SQLException when the store fails
     */
    Claim claim(String key, String requestHash) throws SQLException;

    /**
     * Records that the claimed request produced {@code tenantId}.
     *
     * @throws SQLException when the store fails
     */
    void complete(String key, UUID tenantId) throws SQLException;

    /**
     * Releases a claim whose request failed, so a retry with the same key runs again. Idempotent.
     *
     * @throws SQLException when the store fails
     */
    void release(String key) throws SQLException;

    /** What claiming a key found. */
    enum Outcome {
        /** The key is new: the caller runs the request. */
        CLAIMED,
        /** The same request holds the key and has not finished. */
        IN_PROGRESS,
        /** The same request finished; {@link Claim#tenantId()} is what it created. */
        COMPLETED,
        /** The key was used with a different request. */
        MISMATCH
    }

    /**
     * @param outcome  what was found
     * @param tenantId the tenant created, for {@link Outcome#COMPLETED} only
     */
    record Claim(Outcome outcome, Optional<UUID> tenantId) {
        /** @throws IllegalArgumentException when a tenant id is given for any outcome but COMPLETED, or missing for it */
        public Claim {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(tenantId, "tenantId");
            if (tenantId.isPresent() != (outcome == Outcome.COMPLETED)) {
                throw new IllegalArgumentException("a tenant id goes with COMPLETED, and only with it");
            }
        }
    }
}
