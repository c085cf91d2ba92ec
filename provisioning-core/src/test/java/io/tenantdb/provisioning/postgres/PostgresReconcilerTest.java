package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class PostgresReconcilerTest {

    private RealProvisioning real;
    private PostgresReconciler reconciler;

    @BeforeEach
    void setUp(TestPostgres postgres) throws Exception {
        real = new RealProvisioning(postgres);
        reconciler = real.reconciler();
    }

    @AfterEach
    void tearDown() throws Exception {
        real.close();
    }

    @Test
    void dropsADatabaseAndRoleThatNoTenantOwnsButOnlyOutsideADryRun() throws Exception {
        String name = nameFor(UUID.randomUUID());
        real.creator.create(idOf(name), name, name);

        ReconcileReport dryRun = reconciler.reconcile(true);
        assertThat(dryRun.droppedDatabases()).containsExactly(name);
        assertThat(dryRun.droppedRoles()).containsExactly(name);
        assertThat(real.databasesWithPrefix()).containsExactly(name);

        ReconcileReport report = reconciler.reconcile(false);
        assertThat(report.droppedDatabases()).containsExactly(name);
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(reconciler.reconcile(false).clean()).isTrue();
    }

    @Test
    void neverTouchesObjectsItCannotProveItCreated() throws Exception {
        String unmarked = nameFor(UUID.randomUUID());
        String otherShape = real.prefix + "not_a_tenant";
        try (Connection connection = real.postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE \"" + unmarked + "\"");
            statement.execute("CREATE ROLE \"" + otherShape + "\"");
            statement.execute("COMMENT ON ROLE \"" + otherShape + "\" IS 'tenantdb:" + UUID.randomUUID() + "'");
        }

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.clean()).isTrue();
        assertThat(real.databasesWithPrefix()).containsExactly(unmarked);
        assertThat(real.rolesWithPrefix()).containsExactly(otherShape);
    }

    @Test
    void claimsADatabaseByItsOwnersCommentWhenTheProcessDiedBeforeCommentingTheDatabase() throws Exception {
        UUID id = UUID.randomUUID();
        String name = nameFor(id);
        try (Connection connection = real.postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE \"" + name + "\" LOGIN; COMMENT ON ROLE \"" + name + "\" IS 'tenantdb:" + id + "'");
            statement.execute("CREATE DATABASE \"" + name + "\" OWNER \"" + name + "\"");
        }

        assertThat(reconciler.reconcile(false).droppedDatabases()).containsExactly(name);
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
    }

    @Test
    void rollsBackAProvisioningWhoseLeaseExpiredAndLeavesALiveOneAlone() throws Exception {
        JdbcTenantStore shortLease = new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase),
                Duration.ofSeconds(1), "test");
        Tenant dead = reserve(shortLease, "dead");
        Tenant live = reserve(real.store, "live");
        real.creator.create(dead.id(), dead.databaseName(), dead.databaseName());
        real.creator.create(live.id(), live.databaseName(), live.databaseName());
        awaitLeaseExpiry(dead.id());

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.rolledBack()).containsExactly(dead.id());
        assertThat(report.droppedDatabases()).isEmpty();
        assertThat(real.databasesWithPrefix()).containsExactly(live.databaseName());
        assertThat(real.rolesWithPrefix()).containsExactly(live.databaseName());
        assertThat(real.controlRows(dead.id())).isZero();
        assertThat(real.controlRows(live.id())).isEqualTo(2);
    }

    @Test
    void leavesActiveTenantsAloneAndReportsOneWhoseDatabaseVanished() throws Exception {
        Tenant kept = real.builder().build().provision(new TenantRequest("kept", Environment.STAGING));
        Tenant lost = real.builder().build().provision(new TenantRequest("lost", Environment.STAGING));
        try (Connection connection = real.postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE \"" + lost.databaseName() + "\" WITH (FORCE)");
        }

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.activeWithoutDatabase()).containsExactly(lost.id());
        assertThat(report.droppedDatabases()).isEmpty();
        assertThat(real.databasesWithPrefix()).containsExactly(kept.databaseName());
        assertThat(real.store.find(lost.id())).map(Tenant::status).contains(TenantStatus.ACTIVE);
    }

    @Test
    void skipsWhileAnotherInstanceHoldsTheLock() throws Exception {
        String name = nameFor(UUID.randomUUID());
        real.creator.create(idOf(name), name, name);
        try (Connection other = real.postgres.dataSource(real.controlDatabase).getConnection();
             PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, PostgresReconciler.LOCK_KEY);
            lock.execute();

            ReconcileReport report = reconciler.reconcile(false);

            assertThat(report.skipped()).isTrue();
            assertThat(real.databasesWithPrefix()).containsExactly(name);
        }
        assertThat(reconciler.reconcile(false).droppedDatabases()).containsExactly(name);
    }

    private Tenant reserve(JdbcTenantStore store, String name) throws Exception {
        UUID id = UUID.randomUUID();
        Tenant tenant = new Tenant(id, name, Environment.DEVELOPMENT, TenantStatus.PROVISIONING, nameFor(id),
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        assertThat(store.reserve(tenant)).isTrue();
        return tenant;
    }

    /** Waits on the server's clock, the one the lease is checked against. */
    private void awaitLeaseExpiry(UUID tenantId) throws Exception {
        try (Connection connection = real.postgres.dataSource(real.controlDatabase).getConnection();
             PreparedStatement expired = connection.prepareStatement(
                     "SELECT lease_expires_at < now() FROM control_plane.tenants WHERE id = ?")) {
            expired.setObject(1, tenantId);
            for (int i = 0; i < 100; i++) {
                try (ResultSet rs = expired.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("lease did not expire");
    }

    private String nameFor(UUID id) {
        return real.prefix + id.toString().replace('-', '_');
    }

    private UUID idOf(String name) {
        String hex = name.substring(real.prefix.length()).replace('_', '-');
        return UUID.fromString(hex);
    }
}
