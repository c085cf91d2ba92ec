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
     * Claims {@code key} for a request whose canonical form hashes to {@code requestHash}, atomically, recording
     * {@code tenantId}, the id the request's tenant will have. A claim found in progress reports the id it recorded,
     * so a caller can see whether that tenant was in fact activated by a process that died before {@link #complete}.
     *
     * @throws SQLException when the store fails
     */
    Claim claim(String key, String requestHash, UUID tenantId) throws SQLException;

    /**
     * Records that the claimed request produced {@code tenantId}.
     *
     * @throws SQLException when the store fails
     */
    void complete(String key, UUID tenantId) throws SQLException;

    /**
     * Releases a claim whose request failed, so a retry with the same key runs again; a completed key is kept.
     * Idempotent.
     *
     * @throws SQLException when the store fails
     */
    void release(String key) throws SQLException;

    /** What claiming a key found. */
    enum Outcome {
        /** The key is new: the caller runs the request. */
        CLAIMED,
        /**
         * The same request holds the key and has not recorded its end; {@link Claim#tenantId()} is its tenant's id, if
         * known.
         */
        IN_PROGRESS,
        /** The same request finished; {@link Claim#tenantId()} is what it created. */
        COMPLETED,
        /** The key was used with a different request. */
        MISMATCH
    }

    /**
     * @param outcome  what was found
     * @param tenantId the tenant created, for {@link Outcome#COMPLETED}; the tenant being created, for
     *                 {@link Outcome#IN_PROGRESS} when the claim recorded it; empty otherwise
     */
    record Claim(Outcome outcome, Optional<UUID> tenantId) {
        /**
         * @throws IllegalArgumentException when COMPLETED has no tenant id, or CLAIMED or MISMATCH has one
         */
        public Claim {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(tenantId, "tenantId");
            boolean allowed = switch (outcome) {
                case COMPLETED -> tenantId.isPresent();
                case IN_PROGRESS -> true;
                case CLAIMED, MISMATCH -> tenantId.isEmpty();
            };
            if (!allowed) {
                throw new IllegalArgumentException("a tenant id goes with COMPLETED and IN_PROGRESS only");
            }
        }
    }
}
