package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a JVM with SIGKILL half-way through making a warm pool entry and half-way through claiming one, then
 * reconciles: no entry object, entry row or tenant row may be left. The child's leases last ten minutes, so what
 * is reclaimed here is reclaimed because its liveness lock ended with it.
 */
@ExtendWith(RealProvisioningExtension.class)
class WarmPoolCrashTest {

    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) {
        this.real = real;
    }

    @ParameterizedTest(name = "killed {0}")
    @EnumSource(value = CrashPoint.class, names = {"ENTRY_HALF_MADE", "BEFORE_RENAME"})
    void aKilledRefillOrClaimLeavesNothingAfterTheReconciler(CrashPoint point) throws Exception {
        TestPostgres postgres = real.postgres;
        ChildJvm.killWhenItPrints(CrashingWarmPool.class, List.of(postgres.host(), Integer.toString(postgres.port()),
                postgres.adminUser(), postgres.adminPassword(), real.controlDatabase, real.prefix, point.name()),
                Map.of(), CrashingProvisioning.PAUSED + point);
        assertThat(WarmPoolTest.poolObjects(real)).as("the killed child left its entry").isNotEmpty();
        assertThat(rows()).as("the killed child left its rows").isNotEqualTo("0");

        PostgresReconciler reconciler = real.reconciler();
        for (int i = 0; i < 100 && !(WarmPoolTest.poolObjects(real).isEmpty() && rows().equals("0")); i++) {
            reconciler.reconcile(false);
            // The dead child's session, and with it its liveness lock, ends a moment after the kill.
            Thread.sleep(100);
        }

        assertThat(WarmPoolTest.poolObjects(real)).isEmpty();
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(rows()).isEqualTo("0");
        assertThat(reconciler.reconcile(false).clean()).isTrue();
    }

    /** Tenant, database and entry rows together. */
    private String rows() throws Exception {
        return Sql.strings(real.postgres.dataSource(real.controlDatabase), """
                SELECT (SELECT count(*) FROM control_plane.tenants)
                     + (SELECT count(*) FROM control_plane.tenant_databases)
                     + (SELECT count(*) FROM control_plane.warm_pool_entries)""").get(0);
    }
}
