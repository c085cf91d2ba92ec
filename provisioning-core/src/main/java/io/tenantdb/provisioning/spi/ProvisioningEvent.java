package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One lifecycle event.
 *
 * @param kind     what happened
 * @param tenantId the tenant concerned
 * @param step     the step, for {@link Kind#STEP_FINISHED} and {@link Kind#FAILED}
 * @param elapsed  time since the operation started (for a step: the step's own duration)
 * @param error    why, for {@link Kind#FAILED}
 * @param environment the tenant's environment, on every event but {@link Kind#STEP_FINISHED}
 */
public record ProvisioningEvent(Kind kind, UUID tenantId, Optional<String> step, Duration elapsed,
                                Optional<ErrorCode> error, Optional<Environment> environment) {

    /** @throws NullPointerException when a component is null */
    public ProvisioningEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(environment, "environment");
    }

    /** The kinds of event. */
    public enum Kind {
        /** Provisioning began (the tenant id is assigned). */
        STARTED,
        /** A provisioning step completed. */
        STEP_FINISHED,
        /** The tenant is active. */
        SUCCEEDED,
        /** An operation failed; everything it did was compensated unless logged otherwise. */
        FAILED,
        /** The tenant's database and role are gone and its row is a tombstone. */
        DEPROVISIONED,
        /** The tenant's role has a new password and the stored secret was replaced. */
        CREDENTIALS_ROTATED
    }
}
