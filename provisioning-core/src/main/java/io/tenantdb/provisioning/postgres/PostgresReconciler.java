package io.tenantdb.provisioning.postgres;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Brings the cluster and the control plane back in line after crashes: rolls back provisionings whose lease
 * expired, finishes deletions whose lease expired, and drops tenant databases and roles that no live tenant owns. It only ever touches objects it can
 * prove the provisioner made: the name must be {@code <prefix><tenant id>} and the object (or, for a database, its
 * owning role) must carry the comment {@code tenantdb:<tenant id>}. Several instances may run it at once: a
 * PostgreSQL advisory lock lets one pass run and the others skip. Immutable and thread-safe.
 */
public final class PostgresReconciler {

    private static final Logger LOG = System.getLogger(PostgresReconciler.class.getName());
    // Distinct from the schema migration lock.
    static final long LOCK_KEY = 0x74656e616e747263L;
    private static final String LIVE = "('provisioning', 'active', 'deleting')";

    private final DataSource admin;
    private final DataSource controlPlane;
    private final String prefix;
    private final Pattern tenantName;
    private final PostgresDatabaseCreator dropper;
    private final JdbcTenantStore store;

    /**
     * @param admin        connections to the cluster holding tenant databases (CREATEDB, CREATEROLE)
     * @param controlPlane connections to the control-plane database
     * @param prefix       the provisioner's database prefix, {@code car_} by default
     * @throws IllegalArgumentException when the prefix is not a valid identifier start
     */
    public PostgresReconciler(DataSource admin, DataSource controlPlane, String prefix) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.controlPlane = Objects.requireNonNull(controlPlane, "controlPlane");
        Identifiers.quote(Objects.requireNonNull(prefix, "prefix"));
        this.prefix = prefix;
        this.tenantName = Pattern.compile(Pattern.quote(prefix)
                + "([0-9a-f]{8})_([0-9a-f]{4})_([0-9a-f]{4})_([0-9a-f]{4})_([0-9a-f]{12})");
        this.dropper = PostgresDatabaseCreator.builder(admin).build();
        this.store = new JdbcTenantStore(controlPlane);
    }

    /**
     * Runs one pass.
     *
     * @param dryRun when true, report what would be done and change nothing
     * @throws SQLException when PostgreSQL fails; whatever was done before the failure stays done
     */
    public ReconcileReport reconcile(boolean dryRun) throws SQLException {
        try (Connection lock = controlPlane.getConnection()) {
            lock.setAutoCommit(true);
            if (!tryLock(lock)) {
                return ReconcileReport.skipped(dryRun);
            }
            try {
                ReconcileReport report = pass(dryRun);
                LOG.log(report.clean() ? Level.DEBUG : Level.INFO, report.summary());
                return report;
            } finally {
                try (PreparedStatement unlock = lock.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, LOCK_KEY);
                    unlock.execute();
                }
            }
        }
    }

    private ReconcileReport pass(boolean dryRun) throws SQLException {
        List<UUID> rolledBack = rollBackExpiredProvisionings(dryRun);
        List<UUID> deletionsFinished = finishInterruptedDeletions(dryRun);
        // Catalog objects are listed before the live tenants are read: every object is created after its
        // tenant's reservation commits, so an in-flight provisioning is always seen as live here.
        Map<String, UUID> databases = ourDatabases();
        Map<String, UUID> roles = ourRoles();
        Set<UUID> live = liveTenants();
        List<String> droppedDatabases = new ArrayList<>();
        for (Map.Entry<String, UUID> database : databases.entrySet()) {
            if (!live.contains(database.getValue()) && !rolledBack.contains(database.getValue())) {
                droppedDatabases.add(database.getKey());
                if (!dryRun) {
                    dropper.drop(database.getKey(), database.getKey());
                }
            }
        }
        List<String> droppedRoles = new ArrayList<>();
        for (Map.Entry<String, UUID> role : roles.entrySet()) {
            if (!live.contains(role.getValue()) && !rolledBack.contains(role.getValue())) {
                droppedRoles.add(role.getKey());
                if (!dryRun) {
                    dropper.drop(role.getKey(), role.getKey());
                }
            }
        }
        return new ReconcileReport(dryRun, false, rolledBack, deletionsFinished, droppedDatabases, droppedRoles,
                activeWithoutDatabase(databases.keySet()));
    }

    private boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            statement.setLong(1, LOCK_KEY);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private List<UUID> rollBackExpiredProvisionings(boolean dryRun) throws SQLException {
        Map<UUID, String> expired = expiredLeases("provisioning");
        if (!dryRun) {
            for (Map.Entry<UUID, String> tenant : expired.entrySet()) {
                dropper.drop(tenant.getValue(), tenant.getValue());
                deleteExpired(tenant.getKey());
            }
        }
        return List.copyOf(expired.keySet());
    }

    /** Deletion only moves forward: an interrupted one is finished, never undone. */
    private List<UUID> finishInterruptedDeletions(boolean dryRun) throws SQLException {
        Map<UUID, String> interrupted = expiredLeases("deleting");
        if (!dryRun) {
            for (Map.Entry<UUID, String> tenant : interrupted.entrySet()) {
                dropper.drop(tenant.getValue(), tenant.getValue());
                store.finishDeletion(tenant.getKey());
            }
        }
        return List.copyOf(interrupted.keySet());
    }

    private Map<UUID, String> expiredLeases(String status) throws SQLException {
        Map<UUID, String> expired = new HashMap<>();
        try (Connection connection = controlPlane.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT t.id, d.database_name FROM control_plane.tenants t"
                             + " LEFT JOIN control_plane.tenant_databases d ON d.tenant_id = t.id"
                             + " WHERE t.status = ? AND t.lease_expires_at < now()")) {
            select.setString(1, status);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    expired.put(id, Optional.ofNullable(rs.getString(2))
                            .orElse(prefix + id.toString().replace('-', '_')));
                }
            }
        }
        return expired;
    }

    private void deleteExpired(UUID tenantId) throws SQLException {
        try (Connection connection = controlPlane.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM control_plane.tenants"
                     + " WHERE id = ? AND status = 'provisioning' AND lease_expires_at < now()")) {
            connection.setAutoCommit(true);
            delete.setObject(1, tenantId);
            delete.executeUpdate();
        }
    }

    private Map<String, UUID> ourDatabases() throws SQLException {
        return ours("SELECT d.datname, shobj_description(d.oid, 'pg_database'), shobj_description(r.oid, 'pg_authid')"
                + " FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE left(d.datname, ?) = ?");
    }

    private Map<String, UUID> ourRoles() throws SQLException {
        return ours("SELECT rolname, shobj_description(oid, 'pg_authid'), NULL FROM pg_roles"
                + " WHERE left(rolname, ?) = ?");
    }

    /** Runs a catalog query of (name, comment, second comment) and keeps the objects provably ours. */
    private Map<String, UUID> ours(String sql) throws SQLException {
        Map<String, UUID> found = new HashMap<>();
        try (Connection connection = admin.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setInt(1, prefix.length());
            select.setString(2, prefix);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    Optional<UUID> id = tenantIdOf(name);
                    if (id.isPresent()) {
                        String mark = PostgresDatabaseCreator.COMMENT_PREFIX + id.get();
                        if (mark.equals(rs.getString(2)) || mark.equals(rs.getString(3))) {
                            found.put(name, id.get());
                        }
                    }
                }
            }
        }
        return found;
    }

    private Optional<UUID> tenantIdOf(String name) {
        Matcher matcher = tenantName.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(String.join("-", matcher.group(1), matcher.group(2), matcher.group(3),
                matcher.group(4), matcher.group(5))));
    }

    private Set<UUID> liveTenants() throws SQLException {
        Set<UUID> live = new HashSet<>();
        try (Connection connection = controlPlane.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id FROM control_plane.tenants WHERE status IN " + LIVE);
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                live.add(rs.getObject(1, UUID.class));
            }
        }
        return live;
    }

    private List<UUID> activeWithoutDatabase(Set<String> existing) throws SQLException {
        List<UUID> missing = new ArrayList<>();
        try (Connection connection = controlPlane.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT t.id, d.database_name"
                     + " FROM control_plane.tenants t JOIN control_plane.tenant_databases d ON d.tenant_id = t.id"
                     + " WHERE t.status = 'active'");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                if (!existing.contains(rs.getString(2))) {
                    missing.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return missing;
    }
}
