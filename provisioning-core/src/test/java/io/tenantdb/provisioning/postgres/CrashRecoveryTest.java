package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.internal.ConnectionStringSealer;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a provisioning JVM with SIGKILL at each step, then reconciles: nothing may be left that does not belong —
 * no orphan database, no orphan role, no row without a database, no active tenant without a working database. The
 * child's leases last ten minutes, so what is reclaimed here is reclaimed because its liveness lock ended with it.
 */
@ExtendWith(RealProvisioningExtension.class)
class CrashRecoveryTest {

    private final byte[] childKey = new byte[EncryptionKey.LENGTH];
    private RealProvisioning real;
    private PostgresReconciler reconciler;

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        this.real = real;
        new SecureRandom().nextBytes(childKey);
        reconciler = real.reconciler();
    }

    @ParameterizedTest(name = "killed {0}")
    @EnumSource(value = CrashPoint.class, names = {"AFTER_STORE", "ENTRY_HALF_MADE", "BEFORE_RENAME"},
            mode = EnumSource.Mode.EXCLUDE)
    void aProvisioningKilledMidwayIsRolledBackCompletelyByTheReconciler(CrashPoint point) throws Exception {
        killChildAt(point);
        assertThat(real.rolesWithPrefix()).as("the killed child left its objects").isNotEmpty();

        ReconcileReport report = reconcileUntilRolledBack();

        assertThat(report.rolledBack()).hasSize(1);
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(tenantRows()).isZero();
        assertThat(reconciler.reconcile(false).clean()).isTrue();
    }

    @ParameterizedTest(name = "killed {0}")
    @EnumSource(value = CrashPoint.class, names = "AFTER_STORE")
    void aProvisioningKilledAfterItsCommitKeepsAWorkingActiveTenant(CrashPoint point) throws Exception {
        killChildAt(point);

        ReconcileReport report = reconciler.reconcile(false);

        assertThat(report.clean()).isTrue();
        List<UUID> active = activeTenants();
        assertThat(active).hasSize(1);
        assertThat(real.databasesWithPrefix()).hasSize(1);
        assertThat(real.rolesWithPrefix()).hasSize(1);
    }

    @Test
    void aRetryWithTheSameKeyAfterAKillPastTheActivationReturnsThatTenant() throws Exception {
        killChildAt(CrashPoint.AFTER_STORE);
        TenantProvisioner retrying = real.builder()
                .cipherService(new AesGcmCipherService(EncryptionKey.of(childKey)))
                .idempotencyStore(new JdbcIdempotencyStore(real.postgres.dataSource(real.controlDatabase)))
                .build();

        Tenant tenant = retrying.provision(new TenantRequest("crash " + CrashPoint.AFTER_STORE, Environment.PRODUCTION),
                CrashingProvisioning.KEY_PREFIX + CrashPoint.AFTER_STORE);

        assertThat(activeTenants()).containsExactly(tenant.id());
        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(real.databasesWithPrefix()).containsExactly(tenant.databaseName());
    }

    private void killChildAt(CrashPoint point) throws Exception {
        TestPostgres postgres = real.postgres;
        ChildJvm.killWhenItPrints(CrashingProvisioning.class, List.of(postgres.host(),
                        Integer.toString(postgres.port()), postgres.adminUser(), postgres.adminPassword(),
                        real.controlDatabase, real.prefix, point.name()),
                Map.of(CrashingProvisioning.KEY_VARIABLE, Base64.getEncoder().encodeToString(childKey)),
                CrashingProvisioning.PAUSED + point);
    }

    /**
     * Reconciles until the dead child's provisioning is rolled back: its server session ends a moment after the
     * kill, and with it the lock. Bounded well below the child's ten-minute lease.
     */
    private ReconcileReport reconcileUntilRolledBack() throws Exception {
        for (int i = 0; i < 100; i++) {
            ReconcileReport report = reconciler.reconcile(false);
            if (!report.rolledBack().isEmpty()) {
                return report;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the killed child's provisioning was not reclaimed within 10 s");
    }

    private int tenantRows() throws Exception {
        return count("SELECT (SELECT count(*) FROM control_plane.tenants)"
                + " + (SELECT count(*) FROM control_plane.tenant_databases)");
    }

    private List<UUID> activeTenants() throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (String id : Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT id::text FROM control_plane.tenants WHERE status = 'active'")) {
            UUID tenantId = UUID.fromString(id);
            // Active means usable: the stored secret decrypts (with the child's key) and connects.
            String sealed = real.store.findDatabase(tenantId).orElseThrow().connectionStringEncrypted();
            byte[] uri = new AesGcmCipherService(EncryptionKey.of(childKey))
                    .decrypt(sealed, ConnectionStringSealer.associatedData(tenantId));
            ConnectionDetails details = ConnectionDetails.fromUri(new String(uri, StandardCharsets.UTF_8));
            assertThat(real.verifier.verify(details)).startsWith("PostgreSQL");
            ids.add(tenantId);
        }
        return ids;
    }

    private int count(String sql) throws Exception {
        try (Connection connection = real.postgres.dataSource(real.controlDatabase).getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
