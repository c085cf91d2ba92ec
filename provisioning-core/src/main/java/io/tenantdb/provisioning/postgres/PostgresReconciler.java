package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.postgres.JdbcTenantStore.Abandoned;
import io.tenantdb.provisioning.postgres.OwnershipMark.Claim;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator.CatalogObject;
import io.tenantdb.provisioning.spi.WarmPool.Entry;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings the cluster and one control plane back in line after crashes: rolls back provisionings whose owner is
 * gone (its liveness lock released, or its lease expired), finishes such deletions, and drops tenant databases and
 * roles that no live tenant of this control plane owns. It only ever touches objects it can prove this control plane
 * made: the name must be {@code <prefix><tenant id>} and the object (or, for a database without a comment, its
 * owning role) must carry this control plane's {@link OwnershipMark} for that tenant. Objects marked by earlier
 * versions ({@code tenantdb:<tenant id>}) are adopted when the tenant is in this control plane's tables, and
 * otherwise reported and left alone. Warm pool entries ({@link PostgresWarmPool}, named {@code <prefix>pool_…} and
 * marked for their entry id) are dropped when their maker on this server is gone half-way or their row is gone (a
 * claim or a drop interrupted); entries recorded for another server are that server's pass's. The report lists them
 * with the dropped databases and roles. A failed drop is reported and the pass goes on. Several instances may run it
 * at once: an advisory lock lets one pass run and the others skip. Immutable and thread-safe.
 */
public final class PostgresReconciler {

    private static final Logger LOG = System.getLogger(PostgresReconciler.class.getName());
    private static final Set<TenantStatus> LIVE = Set.of(TenantStatus.PROVISIONING, TenantStatus.ACTIVE,
            TenantStatus.DELETING);

    private final JdbcTenantStore store;
    private final PostgresDatabaseCreator creator;
    private final String prefix;
    private final String server;
    private final Pattern tenantName;
    private final WarmPoolStore pool;
    private final Pattern entryName;

    /**
     * A reconciler of the {@link DatabaseServer#DEFAULT default} server.
     *
     * @param store   the control plane whose tenants count as live
     * @param creator drops objects; it must write the same control plane's mark
     * @param prefix  the provisioner's database prefix, {@code car_} by default
     * @throws IllegalArgumentException when the prefix is not a valid identifier start
     */
    public PostgresReconciler(JdbcTenantStore store, PostgresDatabaseCreator creator, String prefix) {
        this(store, creator, prefix, DatabaseServer.DEFAULT);
    }

    /**
     * A reconciler of one registered server: it rolls back and finishes only the tenants recorded on it and
     * reports drift of those alone; an object there of a tenant live on another server is left alone.
     *
     * @param creator the creator of that server
     * @param server  the server's name in the registry
     * @throws IllegalArgumentException when the prefix is not a valid identifier start
     */
    public PostgresReconciler(JdbcTenantStore store, PostgresDatabaseCreator creator, String prefix, String server) {
        this.store = Objects.requireNonNull(store, "store");
        this.creator = Objects.requireNonNull(creator, "creator");
        this.server = Objects.requireNonNull(server, "server");
        Identifiers.quote(Objects.requireNonNull(prefix, "prefix"));
        this.prefix = prefix;
        this.tenantName = Pattern.compile(Pattern.quote(prefix)
                + "([0-9a-f]{8})_([0-9a-f]{4})_([0-9a-f]{4})_([0-9a-f]{4})_([0-9a-f]{12})");
        this.pool = new WarmPoolStore(store, server);
        this.entryName = PostgresWarmPool.entryPattern(prefix);
    }

    /**
     * Runs one pass.
     *
     * @param dryRun when true, report what would be done and change nothing
     * @throws SQLException          when PostgreSQL fails outside a single drop; what was done before stays done
     * @throws IllegalStateException when the creator marks objects for another control plane than the store's
     */
    public ReconcileReport reconcile(boolean dryRun) throws SQLException {
        UUID controlPlane = store.controlPlaneId();
        if (!controlPlane.equals(creator.controlPlaneId())) {
            throw new IllegalStateException("the creator marks objects for another control plane than the store's");
        }
        Optional<SessionLock> lock = store.tryLockReconciler();
        if (lock.isEmpty()) {
            return ReconcileReport.skipped(dryRun);
        }
        try (SessionLock held = lock.get()) {
            ReconcileReport report = new Pass(dryRun, controlPlane).run();
            LOG.log(report.clean() ? Level.DEBUG : Level.INFO, report.summary());
            if (!report.drift().isEmpty()) {
                LOG.log(Level.WARNING, ReconcileReport.Drift.summary(report.drift()));
            }
            return report;
        }
    }

    /** One pass's state: what it found and did. */
    private final class Pass {
        private final boolean dryRun;
        private final UUID controlPlane;
        private final List<UUID> rolledBack = new ArrayList<>();
        private final List<UUID> deletionsFinished = new ArrayList<>();
        private final List<String> droppedDatabases = new ArrayList<>();
        private final List<String> droppedRoles = new ArrayList<>();
        private final List<String> adopted = new ArrayList<>();
        private final List<String> leftAlone = new ArrayList<>();
        private final List<ReconcileReport.Failure> failures = new ArrayList<>();

        Pass(boolean dryRun, UUID controlPlane) {
            this.dryRun = dryRun;
            this.controlPlane = controlPlane;
        }

        ReconcileReport run() throws SQLException {
            for (Abandoned tenant : store.abandoned(TenantStatus.PROVISIONING, server)) {
                rolledBack.add(tenant.tenantId());
                if (!dryRun && drop(tenant)) {
                    store.removeAbandoned(tenant.tenantId());
                }
            }
            // Deletion only moves forward: an interrupted one is finished, never undone.
            for (Abandoned tenant : store.abandoned(TenantStatus.DELETING, server)) {
                deletionsFinished.add(tenant.tenantId());
                if (!dryRun && drop(tenant)) {
                    store.finishDeletion(tenant.tenantId());
                }
            }
            // Catalog objects are listed before the tenants are read: every object is created after its tenant's
            // reservation commits, so an in-flight provisioning is always seen as live here.
            Map<UUID, List<CatalogObject>> byTenant = new LinkedHashMap<>();
            for (CatalogObject object : creator.objectsNamed(prefix)) {
                tenantIdOf(object.name())
                        .ifPresent(id -> byTenant.computeIfAbsent(id, k -> new ArrayList<>()).add(object));
            }
            Map<UUID, TenantStatus> known = store.statuses(byTenant.keySet());
            byTenant.forEach((id, objects) -> examine(id, objects, Optional.ofNullable(known.get(id))));
            warmPoolEntries();
            return new ReconcileReport(dryRun, false, rolledBack, deletionsFinished, droppedDatabases, droppedRoles,
                    drift(byTenant.values()), adopted, leftAlone, failures);
        }

        /**
         * Drops warm pool entries of this control plane whose row is gone, or whose maker died half-way. As for
         * tenants, the catalog is read before the rows: a row is written before its entry's objects are made.
         */
        private void warmPoolEntries() throws SQLException {
            Map<UUID, List<CatalogObject>> byEntry = new LinkedHashMap<>();
            for (CatalogObject object : creator.objectsNamed(prefix + "pool_")) {
                Matcher matcher = entryName.matcher(object.name());
                if (matcher.matches()) {
                    UUID id = PostgresWarmPool.entryId(matcher.group(1));
                    if (OwnershipMark.claim(object.comment(), controlPlane, id) == Claim.OURS) {
                        byEntry.computeIfAbsent(id, k -> new ArrayList<>()).add(object);
                    }
                }
            }
            List<Entry> abandoned = pool.abandoned();
            Set<UUID> rows = pool.existing(byEntry.keySet());
            Map<UUID, String> toDrop = new LinkedHashMap<>();
            abandoned.forEach(entry -> toDrop.put(entry.id(), entry.name()));
            byEntry.forEach((id, objects) -> {
                if (!rows.contains(id) || toDrop.containsKey(id)) {
                    toDrop.put(id, objects.get(0).name());
                    objects.forEach(object -> (object.database() ? droppedDatabases : droppedRoles)
                            .add(object.name()));
                }
            });
            if (dryRun) {
                return;
            }
            for (Map.Entry<UUID, String> entry : toDrop.entrySet()) {
                String name = entry.getValue();
                if (attempt(name, () -> creator.drop(entry.getKey(), name, name))
                        && abandoned.stream().anyMatch(a -> a.id().equals(entry.getKey()))) {
                    attempt(name, () -> pool.removeAbandoned(entry.getKey()));
                }
            }
        }

        /** Active tenants whose database or role is gone from the catalog: reported, never changed. */
        private List<ReconcileReport.Drift> drift(Collection<List<CatalogObject>> catalog) throws SQLException {
            Set<String> databases = new HashSet<>();
            Set<String> roles = new HashSet<>();
            catalog.stream().flatMap(List::stream)
                    .forEach(object -> (object.database() ? databases : roles).add(object.name()));
            List<ReconcileReport.Drift> drift = new ArrayList<>();
            for (JdbcTenantStore.ActiveTenant tenant : store.activeTenants(server)) {
                boolean databaseMissing = !databases.contains(tenant.databaseName());
                boolean roleMissing = !roles.contains(tenant.roleName());
                if (databaseMissing || roleMissing) {
                    drift.add(new ReconcileReport.Drift(tenant.tenantId(), databaseMissing, roleMissing));
                }
            }
            return drift;
        }

        /** Decides about one tenant's database and role, each only if it carries this control plane's claim. */
        private void examine(UUID tenantId, List<CatalogObject> objects, Optional<TenantStatus> status) {
            List<CatalogObject> ours = new ArrayList<>();
            List<CatalogObject> legacy = new ArrayList<>();
            for (CatalogObject object : objects) {
                Claim claim = OwnershipMark.claim(object.comment(), controlPlane, tenantId);
                if (claim == Claim.LEGACY && status.isEmpty()) {
                    leftAlone.add(object.name());
                } else if (claim != Claim.NONE) {
                    ours.add(object);
                    if (claim == Claim.LEGACY) {
                        legacy.add(object);
                    }
                }
            }
            // In a dry run, a tenant "rolled back" above still has its row; its objects are counted there.
            if (ours.isEmpty() || rolledBack.contains(tenantId)) {
                return;
            }
            if (status.filter(LIVE::contains).isPresent()) {
                for (CatalogObject object : legacy) {
                    adopted.add(object.name());
                    if (!dryRun) {
                        attempt(object.name(), () -> creator.adopt(object, tenantId));
                    }
                }
                return;
            }
            for (CatalogObject object : ours) {
                (object.database() ? droppedDatabases : droppedRoles).add(object.name());
            }
            if (!dryRun) {
                String name = ours.get(0).name();
                attempt(name, () -> creator.drop(tenantId, name, name));
            }
        }

        private boolean drop(Abandoned tenant) {
            String name = tenant.databaseName().orElse(prefix + tenant.tenantId().toString().replace('-', '_'));
            return attempt(name, () -> creator.drop(tenant.tenantId(), name, name));
        }

        /** Runs one change; a failure is reported, logged without the server's text, and the pass goes on. */
        private boolean attempt(String name, TransientRetry.VoidAction change) {
            try {
                change.run();
                return true;
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "reconcile could not change {0}: {1}", name, LogSafe.describe(e));
                failures.add(new ReconcileReport.Failure(name, Optional.ofNullable(e.getSQLState()).orElse("")));
                return false;
            }
        }
    }

    private Optional<UUID> tenantIdOf(String name) {
        Matcher matcher = tenantName.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(String.join("-", matcher.group(1), matcher.group(2), matcher.group(3),
                matcher.group(4), matcher.group(5))));
    }
}
