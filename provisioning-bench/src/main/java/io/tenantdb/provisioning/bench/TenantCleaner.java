package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.example.ProvisioningApplication;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;
import io.tenantdb.provisioning.postgres.RegistryReconciler;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Removes what the bench created, through public API only: the application's tenants with
 * {@link TenantProvisioner#deprovision} (their control-plane rows stay as {@code deleted} tombstones, as after any
 * deprovisioning), and the floor's with {@link PostgresDatabaseCreator#drop} and a delete from the bench's own
 * schema {@value #SCHEMA}, which it creates and drops. Sweeps also find what an interrupted run may have left:
 * the application's bench tenants that are still live, and databases and roles with the floor's prefix. Every drop
 * goes through the application's creator, which removes only objects carrying this control plane's mark, so a
 * bench beside another control plane on the same cluster never touches its objects. Never writes the control
 * plane's tables itself. Uses one admin connection of its own; not thread-safe.
 */
final class TenantCleaner implements AutoCloseable {

    /** The bench's own schema, beside {@code control_plane} in the same database: the floor's rows. */
    static final String SCHEMA = "tenantdb_bench";

    // The floor writes what the provisioner ends with, so its tables copy the control plane's definitions
    // (columns, checks, indexes and the foreign key), read from the catalog.
    private static final String CREATE_SCHEMA = """
            CREATE SCHEMA IF NOT EXISTS tenantdb_bench;
            CREATE TABLE IF NOT EXISTS tenantdb_bench.tenants (LIKE control_plane.tenants INCLUDING ALL);
            CREATE TABLE IF NOT EXISTS tenantdb_bench.tenant_databases (
                LIKE control_plane.tenant_databases INCLUDING ALL,
                FOREIGN KEY (tenant_id) REFERENCES tenantdb_bench.tenants (id) ON DELETE CASCADE)""";

    private final Connection connection;
    private final ProvisioningApplication application;
    private final TenantProvisioner provisioner;
    private final PostgresDatabaseCreator creator;
    private final String ourMarks;

    /** Opens the connection and creates the bench's schema if it is not there. */
    TenantCleaner(BenchTarget target) throws SQLException {
        this.connection = target.openAdmin(BenchTarget.BENCH_APPLICATION);
        this.application = target.application();
        this.provisioner = application.provisioner();
        this.creator = application.creator();
        this.ourMarks = "tenantdb:" + creator.controlPlaneId() + ":%";
        try {
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute(CREATE_SCHEMA);
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Removes each tenant: the application's by deprovisioning it, the floor's by dropping its database (forcing off
     * any session) and role and deleting its row.
     */
    void remove(Collection<Provisioned> created) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM tenantdb_bench.tenants WHERE id = ?")) {
            for (Provisioned tenant : created) {
                if (tenant.floor()) {
                    creator.drop(tenant.tenantId(), tenant.databaseName(), tenant.databaseName());
                    delete.setObject(1, tenant.tenantId());
                    delete.executeUpdate();
                } else {
                    provisioner.deprovision(tenant.tenantId());
                }
            }
        }
    }

    /**
     * The sweep before the first measurement: one reconciler pass of the application (an interrupted run's
     * provisionings and deletions, as {@code serve} does at start), then {@link #sweep()}.
     *
     * @return how many of the bench's tenants and objects were found
     */
    int sweepBeforeStart(PrintStream log) throws SQLException {
        RegistryReconciler.Result report = application.reconcile(false);
        if (!report.clean()) {
            log.println("bench: " + report.summary());
        }
        return sweep();
    }

    /**
     * Finds and removes leftovers: active and deleting tenants named {@link Workload#TENANT_NAME_PREFIX}… of the
     * application (a dead provisioning is the reconciler's, see {@link #sweepBeforeStart}), and the floor's
     * databases and roles that carry this control plane's mark, with the floor's rows.
     *
     * @return how many tenants and objects were found
     */
    int sweep() throws SQLException {
        List<Provisioned> found = new ArrayList<>(benchTenants(TenantStatus.ACTIVE, TenantStatus.DELETING));
        for (String name : ourFloorNames()) {
            UUID id = UUID.fromString(name.substring(SqlNames.FLOOR_PREFIX.length()).replace('_', '-'));
            found.add(new Provisioned(id, name, true));
        }
        remove(found);
        // Every floor object is gone now, so each remaining row is stale.
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM tenantdb_bench.tenants");
        }
        return found.size();
    }

    /** Counts what a sweep would find, and the floor's rows; 0 after a clean run. */
    int leftovers() throws SQLException {
        int count = benchTenants(TenantStatus.PROVISIONING, TenantStatus.ACTIVE, TenantStatus.DELETING).size()
                + ourFloorNames().size();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM tenantdb_bench.tenants")) {
            rs.next();
            count += rs.getInt(1);
        }
        return count;
    }

    /** The application's tenants named {@link Workload#TENANT_NAME_PREFIX}… in these states, from its listing. */
    private List<Provisioned> benchTenants(TenantStatus... statuses) {
        List<Provisioned> live = new ArrayList<>();
        for (TenantStatus status : statuses) {
            TenantQuery query = new TenantQuery(Optional.empty(), Optional.of(status), TenantQuery.MAX_LIMIT,
                    Optional.empty());
            while (true) {
                TenantPage page = provisioner.list(query);
                for (Tenant tenant : page.tenants()) {
                    if (tenant.name().startsWith(Workload.TENANT_NAME_PREFIX)) {
                        live.add(new Provisioned(tenant.id(), tenant.databaseName(), false));
                    }
                }
                if (page.nextCursor().isEmpty()) {
                    break;
                }
                query = new TenantQuery(query.environment(), query.status(), query.limit(), page.nextCursor());
            }
        }
        return live;
    }

    /** Distinct names of databases and roles with the floor's prefix that carry this control plane's mark. */
    private List<String> ourFloorNames() throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT datname FROM pg_database
                 WHERE starts_with(datname, ?)
                   AND coalesce(shobj_description(oid, 'pg_database'), shobj_description(datdba, 'pg_authid')) LIKE ?
                UNION
                SELECT rolname FROM pg_roles
                 WHERE starts_with(rolname, ?) AND shobj_description(oid, 'pg_authid') LIKE ?""")) {
            select.setString(1, SqlNames.FLOOR_PREFIX);
            select.setString(2, ourMarks);
            select.setString(3, SqlNames.FLOOR_PREFIX);
            select.setString(4, ourMarks);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** Drops the bench's schema and closes the connection. Idempotent. */
    @Override
    public void close() throws SQLException {
        if (connection.isClosed()) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS tenantdb_bench CASCADE");
        } finally {
            connection.close();
        }
    }
}
