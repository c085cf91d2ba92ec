package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(RealProvisioningExtension.class)
class PostgresReconcilerTest {

    private final List<AutoCloseable> instances = new ArrayList<>();
    private RealProvisioning real;
    private PostgresReconciler reconciler;

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        this.real = real;
        reconciler = real.reconciler();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable instance : instances) {
            instance.close();
        }
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
            statement.execute("CREATE ROLE \"" + name + "\" LOGIN; COMMENT ON ROLE \"" + name + "\" IS '"
                    + new OwnershipMark(real.store.controlPlaneId(), id).comment() + "'");
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
        instances.add(shortLease);
        Tenant dead = reserve(shortLease, "dead");
        Tenant live = reserve(real.store, "live");
        real.creator.create(dead.id(), dead.databaseName(), dead.databaseName());
        real.creator.create(live.id(), live.databaseName(), live.databaseName());
        real.expireLease(dead.id());

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

        assertThat(report.drift()).containsExactly(new ReconcileReport.Drift(lost.id(), true, false));
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
            lock.setLong(1, JdbcTenantStore.RECONCILER_LOCK_KEY);
            lock.execute();

            ReconcileReport report = reconciler.reconcile(false);

            assertThat(report.skipped()).isTrue();
            assertThat(real.databasesWithPrefix()).containsExactly(name);
            // Explicitly: a closed session releases its locks only once its backend has exited, a moment later.
            try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, JdbcTenantStore.RECONCILER_LOCK_KEY);
                unlock.execute();
            }
        }
        assertThat(reconciler.reconcile(false).droppedDatabases()).containsExactly(name);
    }

    @Test
    void neverTouchesTheTenantsOfAnotherControlPlaneWithTheSamePrefix() throws Exception {
        try (RealProvisioning staging = real.anotherControlPlane()) {
            Tenant theirs = staging.builder().build().provision(new TenantRequest("theirs", Environment.STAGING));
            UUID theirOrphan = UUID.randomUUID();
            staging.creator.create(theirOrphan, nameFor(theirOrphan), nameFor(theirOrphan));
            Tenant ours = real.builder().build().provision(new TenantRequest("ours", Environment.PRODUCTION));

            ReconcileReport report = reconciler.reconcile(false);

            assertThat(report.clean()).isTrue();
            assertThat(report.leftAlone()).isEmpty();
            assertThat(real.databasesWithPrefix()).containsExactlyInAnyOrder(
                    theirs.databaseName(), nameFor(theirOrphan), ours.databaseName());
            assertThat(staging.verifier.verify(staging.storedDetails(theirs.id()))).startsWith("PostgreSQL");

            ReconcileReport theirPass = staging.reconciler().reconcile(false);

            assertThat(theirPass.droppedDatabases()).containsExactly(nameFor(theirOrphan));
            assertThat(real.databasesWithPrefix())
                    .containsExactlyInAnyOrder(theirs.databaseName(), ours.databaseName());
        }
    }

    @Test
    void adoptsObjectsOfAnEarlierVersionWhoseTenantItKnowsAndLeavesTheOthersAlone() throws Exception {
        Tenant kept = real.builder().build().provision(new TenantRequest("kept", Environment.STAGING));
        Tenant deleted = real.builder().build().provision(new TenantRequest("deleted", Environment.STAGING));
        real.store.beginDeletion(deleted.id());
        real.store.finishDeletion(deleted.id());
        UUID stranger = UUID.randomUUID();
        markTheOldWay(kept.id());
        markTheOldWay(deleted.id());
        createMarkedTheOldWay(stranger);

        ReconcileReport dryRun = reconciler.reconcile(true);
        assertThat(dryRun.adopted()).hasSize(2);
        assertThat(comment(kept.databaseName())).isEqualTo("tenantdb:" + kept.id());

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.adopted()).containsExactly(kept.databaseName(), kept.databaseName());
        assertThat(report.droppedDatabases()).containsExactly(deleted.databaseName());
        assertThat(report.droppedRoles()).containsExactly(deleted.databaseName());
        assertThat(report.failures()).isEmpty();
        assertThat(report.leftAlone()).containsExactlyInAnyOrder(nameFor(stranger), nameFor(stranger));
        assertThat(comment(kept.databaseName()))
                .isEqualTo(new OwnershipMark(real.store.controlPlaneId(), kept.id()).comment());
        assertThat(real.databasesWithPrefix()).containsExactlyInAnyOrder(kept.databaseName(), nameFor(stranger));
        assertThat(reconciler.reconcile(false).clean()).isTrue();
    }

    @Test
    void aDropThatFailsIsReportedWithItsSqlStateAndThePassGoesOn() throws Exception {
        UUID stuck = UUID.randomUUID();
        UUID free = UUID.randomUUID();
        real.creator.create(stuck, nameFor(stuck), nameFor(stuck));
        real.creator.create(free, nameFor(free), nameFor(free));
        // A role that owns an object in another database cannot be dropped (2BP01).
        try (Connection connection = real.postgres.dataSource(real.controlDatabase).getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA held AUTHORIZATION \"" + nameFor(stuck) + "\"");
        }

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.failures()).containsExactly(new ReconcileReport.Failure(nameFor(stuck), "2BP01"));
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).containsExactly(nameFor(stuck));
        assertThat(report.summary()).contains("2BP01").doesNotContain("depend");
    }

    @Test
    void rollsBackAtOnceAProvisioningWhoseInstanceIsGoneWhileItsLeaseRuns() throws Exception {
        JdbcTenantStore gone = instance();
        JdbcTenantStore alive = instance();
        Tenant abandoned = reserve(gone, "abandoned");
        Tenant inFlight = reserve(alive, "in flight");
        real.creator.create(abandoned.id(), abandoned.databaseName(), abandoned.databaseName());
        real.creator.create(inFlight.id(), inFlight.databaseName(), inFlight.databaseName());
        gone.close();

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.rolledBack()).containsExactly(abandoned.id());
        assertThat(real.databasesWithPrefix()).containsExactly(inFlight.databaseName());
        assertThat(real.controlRows(abandoned.id())).isZero();
        alive.advance(inFlight.id(), "verify");
        assertThat(real.controlRows(inFlight.id())).isEqualTo(2);
    }

    @Test
    void aLiveInstanceWhoseLeaseWasReclaimedFailsItsNextStep() throws Exception {
        JdbcTenantStore gone = instance();
        Tenant tenant = reserve(gone, "reclaimed");
        gone.close();
        reconciler.reconcile(false);

        assertThatThrownBy(() -> gone.advance(tenant.id(), "verify"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55000"));
    }

    @Test
    void finishesAtOnceADeletionWhoseInstanceIsGone() throws Exception {
        Tenant tenant = real.builder().build().provision(new TenantRequest("leaving", Environment.STAGING));
        JdbcTenantStore gone = instance();
        gone.beginDeletion(tenant.id());
        gone.close();

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.deletionsFinished()).containsExactly(tenant.id());
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.store.find(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETED);
    }

    /** Another instance of the same control plane, with the default two-minute lease. */
    private JdbcTenantStore instance() {
        JdbcTenantStore store = new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase));
        instances.add(store);
        return store;
    }

    private void markTheOldWay(UUID tenantId) throws SQLException {
        String name = Identifiers.quote(nameFor(tenantId));
        execute("COMMENT ON DATABASE " + name + " IS 'tenantdb:" + tenantId + "'; COMMENT ON ROLE " + name
                + " IS 'tenantdb:" + tenantId + "'");
    }

    private void createMarkedTheOldWay(UUID tenantId) throws SQLException {
        String name = Identifiers.quote(nameFor(tenantId));
        execute("CREATE ROLE " + name + " LOGIN");
        execute("CREATE DATABASE " + name + " OWNER " + name);
        markTheOldWay(tenantId);
    }

    private String comment(String database) throws SQLException {
        return Sql.strings(real.postgres.adminDataSource(),
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?", database).get(0);
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = real.postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private Tenant reserve(JdbcTenantStore store, String name) throws Exception {
        UUID id = UUID.randomUUID();
        Tenant tenant = new Tenant(id, name, Environment.DEVELOPMENT, TenantStatus.PROVISIONING, nameFor(id),
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        assertThat(store.reserve(tenant)).isTrue();
        return tenant;
    }

    private String nameFor(UUID id) {
        return real.prefix + id.toString().replace('-', '_');
    }

    private UUID idOf(String name) {
        String hex = name.substring(real.prefix.length()).replace('_', '-');
        return UUID.fromString(hex);
    }
}
