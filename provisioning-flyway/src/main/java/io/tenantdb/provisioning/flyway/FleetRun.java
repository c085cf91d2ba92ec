package io.tenantdb.provisioning.flyway;

/**
 * How a {@link FleetMigrator} run goes.
 *
 * @param parallelism tenants migrated at once, 1 to {@value #MAX_PARALLELISM}; each holds two connections to its
 *                    tenant database while it runs
 * @param canary      tenants migrated first; if any of them fails, the run stops there. 0 for none
 * @param dryRun      only report what is pending per tenant; change nothing (the canary does not apply)
 */
public record FleetRun(int parallelism, int canary, boolean dryRun) {

    /** The most tenants migrated at once. */
    public static final int MAX_PARALLELISM = 64;

    /** @throws IllegalArgumentException when parallelism is outside 1–64 or the canary is negative */
    public FleetRun {
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be 1 to " + MAX_PARALLELISM);
        }
        if (canary < 0) {
            throw new IllegalArgumentException("canary must not be negative");
        }
    }
}
