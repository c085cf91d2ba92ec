package io.tenantdb.provisioning.flyway;

/**
 * Told how a {@link FleetMigrator} run goes, from its worker threads one call at a time. A lambda receives each
 * tenant's outcome.
 */
@FunctionalInterface
public interface FleetProgress {

    /** Called once the run knows how many tenants it will attempt (the canary and the rest, each once). */
    default void started(int tenants) {
    }

    /** Called as each attempted tenant finishes. */
    void finished(TenantOutcome outcome);
}
