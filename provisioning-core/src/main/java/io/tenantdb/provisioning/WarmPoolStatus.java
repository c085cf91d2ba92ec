package io.tenantdb.provisioning;

import io.tenantdb.provisioning.internal.Failures;
import io.tenantdb.provisioning.spi.WarmPool;

import java.util.Objects;

/**
 * How full a warm pool is, as its control plane records it.
 *
 * @param target the number of entries the pool keeps ready
 * @param ready  entries ready to be claimed at the current schema version
 * @param making entries being made now
 * @param stale  ready entries made at another schema version, waiting to be replaced; never handed out
 */
public record WarmPoolStatus(int target, int ready, int making, int stale) {

    /** @throws IllegalArgumentException when a count is negative */
    public WarmPoolStatus {
        if (target < 0 || ready < 0 || making < 0 || stale < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    /**
     * Reads a pool's status from its control plane.
     *
     * @throws ProvisioningException {@link ErrorCode#DATABASE_UNAVAILABLE} when the control plane is unreachable,
     *                               else {@link ErrorCode#STORE_FAILED}
     */
    public static WarmPoolStatus of(WarmPool pool) {
        Objects.requireNonNull(pool, "pool");
        return Failures.call(pool::status, "reading the warm pool");
    }
}
