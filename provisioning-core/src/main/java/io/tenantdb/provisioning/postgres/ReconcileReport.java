package io.tenantdb.provisioning.postgres;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What one reconciler pass found and did (or, in a dry run, would have done).
 *
 * @param dryRun                true when nothing was changed
 * @param skipped               true when another instance held the reconciler lock, so nothing was examined
 * @param rolledBack            tenants whose provisioning was abandoned: their objects dropped and rows removed
 * @param deletionsFinished     tenants whose deletion was abandoned: their objects dropped, now {@code deleted}
 * @param droppedDatabases      tenant databases of this control plane that no live tenant owns
 * @param droppedRoles          tenant roles of this control plane that no live tenant owns
 * @param drift                 active tenants whose database or role is missing; reported, never changed
 * @param adopted               objects marked by an earlier version for a live tenant of this control plane, now
 *                              marked with this control plane's id (those of a dead one are dropped)
 * @param leftAlone             objects marked by an earlier version for a tenant this control plane does not know:
 *                              maybe another control plane's, so never touched
 * @param failures              changes PostgreSQL refused (permission denied, object in use); retried next pass
 */
public record ReconcileReport(boolean dryRun, boolean skipped, List<UUID> rolledBack, List<UUID> deletionsFinished,
                              List<String> droppedDatabases, List<String> droppedRoles,
                              List<Drift> drift, List<String> adopted, List<String> leftAlone,
                              List<Failure> failures) {

    /** Copies the lists. */
    public ReconcileReport {
        rolledBack = List.copyOf(rolledBack);
        deletionsFinished = List.copyOf(deletionsFinished);
        droppedDatabases = List.copyOf(droppedDatabases);
        droppedRoles = List.copyOf(droppedRoles);
        drift = List.copyOf(drift);
        adopted = List.copyOf(adopted);
        leftAlone = List.copyOf(leftAlone);
        failures = List.copyOf(failures);
    }

    static ReconcileReport skipped(boolean dryRun) {
        return new ReconcileReport(dryRun, true, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of());
    }

    /** True when the pass found nothing to change or to report, other than objects it leaves alone. */
    public boolean clean() {
        return !skipped && rolledBack.isEmpty() && deletionsFinished.isEmpty() && droppedDatabases.isEmpty()
                && droppedRoles.isEmpty() && drift.isEmpty() && adopted.isEmpty() && failures.isEmpty();
    }

    /** One line for logs and the {@code reconcile} command; holds names, ids and SQLStates only, never a secret. */
    public String summary() {
        if (skipped) {
            return "reconcile skipped: another instance holds the lock";
        }
        String would = dryRun ? "would " : "";
        return "reconcile" + (dryRun ? " (dry run)" : "") + ": " + (dryRun ? "would roll back " : "rolled back ")
                + rolledBack.size() + " abandoned provisioning(s) " + rolledBack + ", "
                + (dryRun ? "would finish " : "finished ") + deletionsFinished.size() + " interrupted deletion(s) "
                + deletionsFinished + ", " + (dryRun ? "would drop " : "dropped ") + droppedDatabases.size()
                + " orphan database(s) " + droppedDatabases + " and " + droppedRoles.size() + " orphan role(s) "
                + droppedRoles + ", " + would + "adopt" + (dryRun ? " " : "ed ") + adopted.size()
                + " object(s) of an earlier version " + adopted + "; " + drift.size()
                + " active tenant(s) whose database or role is missing " + drift + ", " + leftAlone.size()
                + " unclaimed object(s) left alone " + leftAlone + ", " + failures.size() + " failure(s) " + failures;
    }

    /**
     * An active tenant whose objects are missing: someone dropped them outside the library, or the control plane was
     * restored to a point after they were gone. See docs/operations.md, section Drift.
     *
     * @param tenantId        the tenant
     * @param databaseMissing its database does not exist
     * @param roleMissing     its login role does not exist
     */
    public record Drift(UUID tenantId, boolean databaseMissing, boolean roleMissing) {

        /** One line for a log or a terminal: ids and what is missing, never a secret. */
        public static String summary(List<Drift> drift) {
            return "drift: " + drift.size() + " active tenant(s) whose database or role is missing "
                    + drift.stream().map(Drift::toString).toList()
                    + "; the control plane still reports them active. See docs/operations.md, section Drift";
        }

        @Override
        public String toString() {
            return tenantId + " (" + (databaseMissing && roleMissing ? "database and role"
                    : databaseMissing ? "database" : "role") + " missing)";
        }
    }

    /**
     * A change PostgreSQL refused.
     *
     * @param object   the database or role name
     * @param sqlState the server's SQLState, empty when it gave none; never its message
     */
    public record Failure(String object, String sqlState) {

        /** @throws NullPointerException when a component is null */
        public Failure {
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(sqlState, "sqlState");
        }

        @Override
        public String toString() {
            return object + " (sqlstate " + sqlState + ")";
        }
    }
}
