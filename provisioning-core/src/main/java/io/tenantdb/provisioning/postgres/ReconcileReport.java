package io.tenantdb.provisioning.postgres;

import java.util.List;
import java.util.UUID;

/**
 * What one reconciler pass found and did (or, in a dry run, would have done).
 *
 * @param dryRun                true when nothing was changed
 * @param skipped               true when another instance held the reconciler lock, so nothing was examined
 * @param rolledBack            tenants whose provisioning lease expired: their objects dropped and rows removed
 * @param deletionsFinished     tenants whose deletion lease expired: their objects dropped, now {@code deleted}
 * @param droppedDatabases      tenant databases no live tenant owns
 * @param droppedRoles          tenant roles no live tenant owns
 * @param activeWithoutDatabase active tenants whose database is missing; reported, never changed
 */
public record ReconcileReport(boolean dryRun, boolean skipped, List<UUID> rolledBack, List<UUID> deletionsFinished,
                              List<String> droppedDatabases,
                              List<String> droppedRoles, List<UUID> activeWithoutDatabase) {

    /** Copies the lists. */
    public ReconcileReport {
        rolledBack = List.copyOf(rolledBack);
        deletionsFinished = List.copyOf(deletionsFinished);
        droppedDatabases = List.copyOf(droppedDatabases);
        droppedRoles = List.copyOf(droppedRoles);
        activeWithoutDatabase = List.copyOf(activeWithoutDatabase);
    }

    static ReconcileReport skipped(boolean dryRun) {
        return new ReconcileReport(dryRun, true, List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** True when the pass found nothing out of place. */
    public boolean clean() {
        return !skipped && rolledBack.isEmpty() && deletionsFinished.isEmpty() && droppedDatabases.isEmpty() && droppedRoles.isEmpty()
                && activeWithoutDatabase.isEmpty();
    }

    /** One line for logs and the {@code reconcile} command; holds names and ids only, never a secret. */
    public String summary() {
        if (skipped) {
            return "reconcile skipped: another instance holds the lock";
        }
        String verb = dryRun ? "would roll back" : "rolled back";
        return "reconcile" + (dryRun ? " (dry run)" : "") + ": " + verb + " " + rolledBack.size()
                + " expired provisioning(s) " + rolledBack + ", " + (dryRun ? "would finish " : "finished ")
                + deletionsFinished.size() + " interrupted deletion(s) " + deletionsFinished + ", "
                + (dryRun ? "would drop " : "dropped ")
                + droppedDatabases.size() + " orphan database(s) " + droppedDatabases + " and "
                + droppedRoles.size() + " orphan role(s) " + droppedRoles + "; " + activeWithoutDatabase.size()
                + " active tenant(s) without a database " + activeWithoutDatabase;
    }
}
