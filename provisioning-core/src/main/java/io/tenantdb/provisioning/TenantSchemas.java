package io.tenantdb.provisioning;

import io.tenantdb.provisioning.internal.Failures;
import io.tenantdb.provisioning.spi.SchemaVersionStore;
import io.tenantdb.provisioning.spi.SchemaVersionStore.FleetSchemas;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Reads the tenants' schema versions recorded in the control plane, for adapters such as the HTTP API: one tenant's
 * version, and the fleet measured against the host's target version. Immutable and thread-safe when the target
 * supplier is.
 */
public final class TenantSchemas {

    private final SchemaVersionStore store;
    private final Supplier<Optional<String>> targetVersion;

    /**
     * @param store         the recorded versions
     * @param targetVersion the latest version of the host's migrations, asked on every {@link #summary} (so a new
     *                      migration counts at once); empty when the host has none
     * @throws NullPointerException when an argument is null
     */
    public TenantSchemas(SchemaVersionStore store, Supplier<Optional<String>> targetVersion) {
        this.store = Objects.requireNonNull(store, "store");
        this.targetVersion = Objects.requireNonNull(targetVersion, "targetVersion");
    }

    /**
     * @return the schema version recorded for the tenant, empty when it was never migrated
     * @throws ProvisioningException {@link ErrorCode#DATABASE_UNAVAILABLE} or {@link ErrorCode#STORE_FAILED} when the
     *                               control plane fails
     */
    public Optional<String> version(UUID tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        return Failures.call(() -> Optional.ofNullable(store.schemas(List.of(tenantId)).get(tenantId)),
                "reading the schema version").flatMap(SchemaVersionStore.TenantSchema::version);
    }

    /**
     * Summarises the active tenants against the target version; see {@link SchemaVersionStore#summarize}.
     *
     * @throws IllegalArgumentException when the limit is outside 1–1000
     * @throws ProvisioningException    when the control plane fails
     */
    public FleetSchemas summary(Optional<UUID> failedAfter, int limit) {
        Objects.requireNonNull(failedAfter, "failedAfter");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1 to 1000");
        }
        Optional<String> target = Objects.requireNonNull(targetVersion.get(), "target version");
        return Failures.call(() -> store.summarize(target, failedAfter, limit), "summarising schema versions");
    }
}
