package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md's safety argument for the reconciler: it lists the catalog before it reads the tenants, so a
 * provisioning that commits its reservation and creates its objects while a pass runs is seen as live; and a dry
 * run changes nothing, not even an expired lease.
 */
@ExtendWith(RealProvisioningExtension.class)
class ReconcilerSafetyTest {

    private RealProvisioning real;
    private JdbcTenantStore shortLease;

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        this.real = real;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (shortLease != null) {
            shortLease.close();
        }
    }

    /**
     * Each time the pass lists the catalog, a new provisioning reserves its tenant and creates its database and role
     * just before the listing reaches the server, as one running on another instance might. A pass that read the
     * tenants first would see objects without a live tenant and drop them.
     */
    @Test
    void aProvisioningThatCreatesItsObjectsJustBeforeTheCatalogIsListedIsLeftAlone() throws Exception {
        List<Tenant> raced = new CopyOnWriteArrayList<>();
        RecordingDataSource racing = new RecordingDataSource().beforeEach(sql -> {
            if (isCatalogListing(sql)) {
                raced.add(reserveAndCreate(real.store, "raced " + raced.size()));
            }
        });
        PostgresDatabaseCreator creator = PostgresDatabaseCreator.builder(
                        racing.wrap(real.postgres.adminDataSource()), real.store.controlPlaneId())
                .tenantEndpoint(real.postgres.host(), real.postgres.port()).build();

        ReconcileReport report = new PostgresReconciler(real.store, creator, real.prefix).reconcile(false);

        assertThat(raced).as("the pass listed the catalog").isNotEmpty();
        assertThat(report.droppedDatabases()).isEmpty();
        assertThat(report.droppedRoles()).isEmpty();
        assertThat(real.databasesWithPrefix()).containsExactlyInAnyOrderElementsOf(
                raced.stream().map(Tenant::databaseName).toList());
        assertThat(real.rolesWithPrefix()).hasSameSizeAs(raced);
    }

    @Test
    void aDryRunReportsAnExpiredProvisioningAndChangesNothing() throws Exception {
        shortLease = new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase), Duration.ofSeconds(1), "gone");
        Tenant expired = reserveAndCreate(shortLease, "expired");
        real.expireLease(expired.id());

        ReconcileReport dryRun = real.reconciler().reconcile(true);

        assertThat(dryRun.rolledBack()).containsExactly(expired.id());
        assertThat(real.databasesWithPrefix()).containsExactly(expired.databaseName());
        assertThat(real.rolesWithPrefix()).containsExactly(expired.databaseName());
        assertThat(real.controlRows(expired.id())).isEqualTo(2);
        assertThat(real.store.find(expired.id())).map(Tenant::status).contains(TenantStatus.PROVISIONING);

        assertThat(real.reconciler().reconcile(false).rolledBack()).containsExactly(expired.id());
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.controlRows(expired.id())).isZero();
    }

    @Test
    void aDryRunReportsAnInterruptedDeletionAndChangesNothing() throws Exception {
        Tenant tenant = real.builder().build().provision(new io.tenantdb.provisioning.TenantRequest("Half",
                Environment.DEVELOPMENT));
        shortLease = new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase), Duration.ofSeconds(1), "gone");
        assertThat(shortLease.beginDeletion(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETING);
        real.expireLease(tenant.id());

        ReconcileReport dryRun = real.reconciler().reconcile(true);

        assertThat(dryRun.deletionsFinished()).containsExactly(tenant.id());
        assertThat(real.databasesWithPrefix()).containsExactly(tenant.databaseName());
        assertThat(real.store.find(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETING);
    }

    private static boolean isCatalogListing(String sql) {
        String text = sql.toLowerCase(Locale.ROOT);
        return text.contains("starts_with") && text.contains("pg_database");
    }

    private Tenant reserveAndCreate(JdbcTenantStore store, String name) {
        UUID id = UUID.randomUUID();
        String databaseName = real.prefix + id.toString().replace('-', '_');
        Tenant tenant = new Tenant(id, name, Environment.DEVELOPMENT, TenantStatus.PROVISIONING, databaseName,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        try {
            assertThat(store.reserve(tenant)).isTrue();
            real.creator.create(id, databaseName, databaseName);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return tenant;
    }
}
