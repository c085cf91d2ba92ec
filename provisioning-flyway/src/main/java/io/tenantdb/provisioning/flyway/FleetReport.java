package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.flyway.TenantOutcome.Result;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a {@link FleetMigrator} run found and did.
 *
 * @param targetVersion  the latest version of the migrations, empty when there are none (nothing was done)
 * @param alreadyCurrent active tenants the control plane already recorded at the target, not touched
 * @param outcomes       every tenant the run attempted, in the order they were taken
 * @param notAttempted   tenants left untouched because the canary failed or the run was interrupted
 * @param canaryFailed   true when a canary tenant failed and the run stopped after the canary
 */
public record FleetReport(Optional<String> targetVersion, int alreadyCurrent, List<TenantOutcome> outcomes,
                          int notAttempted, boolean canaryFailed) {

    /** Copies the list. @throws NullPointerException when a component is null */
    public FleetReport {
        Objects.requireNonNull(targetVersion, "targetVersion");
        outcomes = List.copyOf(outcomes);
    }

    /** How many attempted tenants ended with {@code result}. */
    public int count(Result result) {
        return (int) outcomes.stream().filter(outcome -> outcome.result() == result).count();
    }

    /** The tenants that failed, in the order they were taken. */
    public List<TenantOutcome> failures() {
        return outcomes.stream().filter(outcome -> outcome.result() == Result.FAILED).collect(Collectors.toList());
    }

    /** True when every tenant the run saw is at the target: nothing failed, skipped, left or (dry run) pending. */
    public boolean allCurrent() {
        return notAttempted == 0 && outcomes.stream()
                .allMatch(o -> o.result() == Result.MIGRATED || o.result() == Result.CURRENT);
    }

    /** One line: {@code target 3: 48 migrated, 2 already current, 0 pending, 1 failed, 1 skipped, 0 not attempted}. */
    public String summary() {
        return "target " + targetVersion.orElse("none") + ": " + count(Result.MIGRATED) + " migrated, "
                + (alreadyCurrent + count(Result.CURRENT)) + " already current, " + count(Result.PENDING)
                + " pending, " + count(Result.FAILED) + " failed, " + count(Result.SKIPPED) + " skipped, "
                + notAttempted + " not attempted" + (canaryFailed ? " (canary failed: stopped)" : "");
    }
}
