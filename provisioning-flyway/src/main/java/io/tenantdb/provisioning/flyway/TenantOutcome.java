package io.tenantdb.provisioning.flyway;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a fleet run did with one tenant. Holds no secret and no SQL text.
 *
 * @param tenantId the tenant
 * @param result   what happened
 * @param version  the version its database is at afterwards, when known
 * @param pending  in a dry run, the versions that would be applied, in order
 * @param failedVersion for {@link Result#FAILED}, the version whose migration failed (or the target, when the
 *                      database could not be reached)
 * @param reason   for {@link Result#FAILED} the error code (an SQLState, a Flyway or provisioning code); for
 *                 {@link Result#SKIPPED} why it was skipped
 */
public record TenantOutcome(UUID tenantId, Result result, Optional<String> version, List<String> pending,
                            Optional<String> failedVersion, Optional<String> reason) {

    /** What happened to a tenant. */
    public enum Result {
        /** Migrations were applied; it is at the target now. */
        MIGRATED,
        /** It was already at the target; nothing was applied. */
        CURRENT,
        /** Dry run: migrations are pending. */
        PENDING,
        /** A migration (or reaching the database) failed; recorded in the control plane unless a dry run. */
        FAILED,
        /** Left alone: deleted, being deleted, credentials rotated, or being migrated by another run meanwhile. */
        SKIPPED
    }

    /** Copies the list. @throws NullPointerException when a component is null */
    public TenantOutcome {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(version, "version");
        pending = List.copyOf(pending);
        Objects.requireNonNull(failedVersion, "failedVersion");
        Objects.requireNonNull(reason, "reason");
    }

    static TenantOutcome migrated(UUID tenantId, Optional<String> version, boolean applied) {
        return new TenantOutcome(tenantId, applied ? Result.MIGRATED : Result.CURRENT, version, List.of(),
                Optional.empty(), Optional.empty());
    }

    static TenantOutcome pending(UUID tenantId, List<String> pending) {
        return new TenantOutcome(tenantId, pending.isEmpty() ? Result.CURRENT : Result.PENDING, Optional.empty(),
                pending, Optional.empty(), Optional.empty());
    }

    static TenantOutcome failed(UUID tenantId, String failedVersion, String errorCode) {
        return new TenantOutcome(tenantId, Result.FAILED, Optional.empty(), List.of(), Optional.of(failedVersion),
                Optional.of(errorCode));
    }

    static TenantOutcome skipped(UUID tenantId, String reason) {
        return new TenantOutcome(tenantId, Result.SKIPPED, Optional.empty(), List.of(), Optional.empty(),
                Optional.of(reason));
    }
}
