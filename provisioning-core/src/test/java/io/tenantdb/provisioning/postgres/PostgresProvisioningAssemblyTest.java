package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.tenantdb.provisioning.postgres.WarmPoolTest.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PostgresProvisioning} on a real PostgreSQL: built over the test's control database as admin, it provisions
 * through its warm pool with its initializer and idempotency keys, reconciles, runs its maintenance on a schedule, and
 * closes.
 */
@ExtendWith(RealProvisioningExtension.class)
class PostgresProvisioningAssemblyTest {

    private static final TenantRequest ACME = new TenantRequest("Acme", Environment.PRODUCTION);

    private final List<PostgresProvisioning> built = new ArrayList<>();
    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) {
        this.real = real;
    }

    @AfterEach
    void tearDown() {
        built.forEach(PostgresProvisioning::close);
    }

    @Test
    void provisionsFromItsWarmPoolWithItsInitializerOnceForAnIdempotencyKeyAndReconcilesClean() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        PostgresProvisioning provisioning = build(builder().warmPoolSize(1)
                .databaseInitializer((connector, versions) -> new SqlScriptInitializer(connector,
                        getClass().getClassLoader(), List.of("io/tenantdb/provisioning/postgres/tenant-notes.sql")))
                .listener(event -> event.step().ifPresent(steps::add)));
        awaitStatus(provisioning.warmPool(), status -> status.ready() == 1);

        Tenant tenant = provisioning.provisioner().provision(ACME, "signup-1");

        assertThat(provisioning.provisioner().provision(ACME, "signup-1").id()).isEqualTo(tenant.id());
        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(tenant.databaseName()).startsWith(real.prefix);
        assertThat(tenant.server()).isEqualTo(DatabaseServer.DEFAULT);
        assertThat(steps).contains("claim");
        assertThat(provisioning.controlPlaneId()).isEqualTo(real.store.controlPlaneId());
        assertThat(provisioning.servers().list()).singleElement().satisfies(server -> {
            assertThat(server.name()).isEqualTo(DatabaseServer.DEFAULT);
            assertThat(server.tenantHost()).contains(real.postgres.host());
            assertThat(server.tenantPort()).contains(real.postgres.port());
        });
        var details = provisioning.connections().details(tenant.id());
        assertThat(Sql.strings(real.postgres.dataSource(details.database(), details.user(), details.password()),
                "SELECT body FROM notes")).containsExactly("initialized");
        RegistryReconciler.Result report = provisioning.reconcile(false);
        assertThat(report.clean()).isTrue();
        assertThat(report.reports()).containsOnlyKeys(DatabaseServer.DEFAULT);
    }

    @Test
    void maintenanceReconcilesOnceAtStartThenOnItsScheduleUntilClosed() throws Exception {
        PostgresProvisioning provisioning = build(builder());
        String before = orphan(provisioning);

        provisioning.startMaintenance(Duration.ofMillis(100));

        assertThat(real.databasesWithPrefix()).doesNotContain(before);
        String after = orphan(provisioning);
        for (int i = 0; i < 600 && real.databasesWithPrefix().contains(after); i++) {
            Thread.sleep(50);
        }
        assertThat(real.databasesWithPrefix()).as("a scheduled pass drops it within 30 s").doesNotContain(after);
        assertThat(real.rolesWithPrefix()).isEmpty();

        provisioning.close();

        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("tenantdb-reconciler")) {
                thread.join(5_000);
                assertThat(thread.isAlive()).as("the maintenance thread ends with close").isFalse();
            }
        }
        assertThatThrownBy(() -> provisioning.startMaintenance(Duration.ZERO))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDryRunReportsWithoutDroppingAndMaintenanceStartsOnlyOnce() throws Exception {
        PostgresProvisioning provisioning = build(builder());
        String orphan = orphan(provisioning);

        assertThat(provisioning.reconcile(true).reports().get(DatabaseServer.DEFAULT).droppedDatabases())
                .containsExactly(orphan);
        assertThat(real.databasesWithPrefix()).containsExactly(orphan);

        provisioning.startMaintenance(Duration.ZERO);
        assertThat(real.databasesWithPrefix()).isEmpty();
        String later = orphan(provisioning);
        provisioning.startMaintenance(Duration.ZERO);
        assertThat(real.databasesWithPrefix()).as("a second start runs no pass").containsExactly(later);
    }

    @Test
    void theBuilderRefusesBadValuesBeforeTouchingTheDatabase() {
        RecordingDataSource recording = new RecordingDataSource();
        DataSource admin = recording.wrap(real.postgres.dataSource(real.controlDatabase));
        PostgresProvisioning.Builder builder = PostgresProvisioning.builder(admin, real.cipher);

        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenantEndpoint");
        assertThatThrownBy(() -> builder.tenantEndpoint(" ", 5432)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.tenantEndpoint("db", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.databasePrefix("Car-")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.warmPoolSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.lease(Duration.ofMillis(999))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.idempotencyRetention(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresProvisioning.builder(admin, null)).isInstanceOf(NullPointerException.class);
        assertThat(recording.statements()).isEmpty();
    }

    private PostgresProvisioning.Builder builder() {
        return PostgresProvisioning.builder(real.postgres.dataSource(real.controlDatabase), real.cipher)
                .tenantEndpoint(real.postgres.host(), real.postgres.port())
                .databasePrefix(real.prefix);
    }

    private PostgresProvisioning build(PostgresProvisioning.Builder builder) throws SQLException {
        PostgresProvisioning provisioning = builder.build();
        built.add(provisioning);
        return provisioning;
    }

    /** A database and role marked with this control plane's id for a tenant it never recorded. */
    private String orphan(PostgresProvisioning provisioning) throws SQLException {
        UUID id = UUID.randomUUID();
        String name = real.prefix + id.toString().replace('-', '_');
        provisioning.creator().create(id, name, name);
        assertThat(real.databasesWithPrefix()).contains(name);
        return name;
    }
}
