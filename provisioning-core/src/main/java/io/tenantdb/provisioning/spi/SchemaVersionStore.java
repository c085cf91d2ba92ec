package io.tenantdb.provisioning.spi;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Optional part of the control plane: each tenant database's own schema version, as the host's migrations last left
 * it, and the last migration failure. A failure is recorded as an error code (an SQLState or the migration tool's
 * code), never as SQL text, which may hold data. Implementations are thread-safe.
 */
public interface SchemaVersionStore {

    /**
     * Records that the tenant's database is now at {@code version}, and clears its recorded failure.
     *
     * @throws SQLException when the control plane fails or the tenant is unknown
     */
    void recordMigrated(UUID tenantId, String version) throws SQLException;

    /**
     * Records that migrating the tenant's database to {@code failedVersion} failed with {@code errorCode}; the
     * recorded version stays as it was.
     *
     * @throws SQLException when the control plane fails or the tenant is unknown
     */
    void recordFailure(UUID tenantId, String failedVersion, String errorCode) throws SQLException;

    /**
     * @return what is recorded for each of these tenants; a tenant never migrated has no entry
     * @throws SQLException when the control plane fails
     */
    Map<UUID, TenantSchema> schemas(Collection<UUID> tenantIds) throws SQLException;

    /**
     * Summarises the active tenants against {@code targetVersion}: a tenant with a recorded failure is failed;
     * one at the target (or, with no target, any other) is current; the rest are pending.
     *
     * @param failedAfter continue the failed tenants' page after this id (ordered by id)
     * @param limit       failed tenant ids per page, 1 to 1000
     * @throws SQLException when the control plane fails
     */
    FleetSchemas summarize(Optional<String> targetVersion, Optional<UUID> failedAfter, int limit)
            throws SQLException;

    /**
     * What is recorded for one tenant.
     *
     * @param version       the schema version its database is at, empty when never migrated
     * @param migratedAt    when that version was recorded
     * @param failedVersion the version whose migration failed last, empty when the last run succeeded
     * @param failureCode   that failure's error code
     * @param failedAt      when it failed
     */
    record TenantSchema(Optional<String> version, Optional<Instant> migratedAt, Optional<String> failedVersion,
                        Optional<String> failureCode, Optional<Instant> failedAt) {

        /** @throws NullPointerException when a component is null */
        public TenantSchema {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(migratedAt, "migratedAt");
            Objects.requireNonNull(failedVersion, "failedVersion");
            Objects.requireNonNull(failureCode, "failureCode");
            Objects.requireNonNull(failedAt, "failedAt");
        }

        /** True when the database is at {@code targetVersion} and its last migration did not fail. */
        public boolean isAt(String targetVersion) {
            return failureCode.isEmpty() && version.filter(targetVersion::equals).isPresent();
        }
    }

    /**
     * The fleet's schema state.
     *
     * @param targetVersion   the version tenants should be at, empty when the host has no migrations
     * @param versions        active tenants per recorded version (an empty version: never migrated)
     * @param current         active tenants at the target
     * @param pending         active tenants below it (or never migrated) without a failure
     * @param failed          active tenants whose last migration failed
     * @param failedTenants   one page of the failed tenants' ids, ordered by id
     * @param nextFailedAfter the id to continue after, when more failed tenants follow
     */
    record FleetSchemas(Optional<String> targetVersion, List<VersionCount> versions, int current, int pending,
                        int failed, List<UUID> failedTenants, Optional<UUID> nextFailedAfter) {

        /** Copies the lists. @throws NullPointerException when a component is null */
        public FleetSchemas {
            Objects.requireNonNull(targetVersion, "targetVersion");
            versions = List.copyOf(versions);
            failedTenants = List.copyOf(failedTenants);
            Objects.requireNonNull(nextFailedAfter, "nextFailedAfter");
        }
    }

    /**
     * How many active tenants are at one version.
     *
     * @param version the recorded version, empty for tenants never migrated
     * @param tenants how many
     */
    record VersionCount(Optional<String> version, int tenants) {

        /** @throws NullPointerException when the version is null */
        public VersionCount {
            Objects.requireNonNull(version, "version");
        }
    }
}
