package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.ProvisioningEvent.Kind;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(RealProvisioningExtension.class)
class TenantLifecycleTest {

    private RealProvisioning real;
    private TenantProvisioner provisioner;

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        this.real = real;
        provisioner = real.builder().build();
    }

    @Test
    void deprovisionDropsTheDatabaseAndRoleAndKeepsATombstoneWithoutTheSecret() throws Exception {
        Tenant tenant = provisioner.provision(new TenantRequest("Gone Inc", Environment.PRODUCTION));
        ConnectionDetails details = real.storedDetails(tenant.id());
        try (Connection open = real.connector.open(details)) {
            Tenant deleted = provisioner.deprovision(tenant.id());

            assertThat(deleted.status()).isEqualTo(TenantStatus.DELETED);
            assertThat(open.isValid(2)).as("sessions are terminated").isFalse();
        }
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(provisioner.find(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETED);
        assertThat(real.store.findDatabase(tenant.id())).isEmpty();
        assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT coalesce(connection_string_encrypted, 'wiped') FROM control_plane.tenant_databases"))
                .containsExactly("wiped");
    }

    @Test
    void deprovisionIsIdempotentAndFreesTheName() {
        TenantRequest request = new TenantRequest("Again", Environment.STAGING);
        Tenant tenant = provisioner.provision(request);

        provisioner.deprovision(tenant.id());
        assertThat(provisioner.deprovision(tenant.id()).status()).isEqualTo(TenantStatus.DELETED);

        assertThat(provisioner.provision(request).id()).isNotEqualTo(tenant.id());
    }

    @Test
    void deprovisionOfAnUnknownTenantIsNotFound() {
        assertThatThrownBy(() -> provisioner.deprovision(UUID.randomUUID()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
    }

    @Test
    void anInterruptedDeletionIsFinishedByTheReconciler() throws Exception {
        Tenant tenant = provisioner.provision(new TenantRequest("Half Gone", Environment.DEVELOPMENT));
        JdbcTenantStore crashed = new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase));
        assertThat(crashed.beginDeletion(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETING);
        // The instance is gone: its liveness lock with it, long before its two-minute lease would expire.
        crashed.close();

        ReconcileReport report = real.reconciler().reconcile(false);

        assertThat(report.deletionsFinished()).containsExactly(tenant.id());
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(provisioner.find(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETED);
    }

    @Test
    void rotatedCredentialsWorkAndTheOldPasswordIsRefused() throws Exception {
        Tenant tenant = provisioner.provision(new TenantRequest("Rotor", Environment.PRODUCTION));
        ConnectionDetails before = real.storedDetails(tenant.id());
        try (Connection open = real.connector.open(before)) {
            provisioner.rotateCredentials(tenant.id());

            assertThat(open.isValid(2)).as("open sessions survive a rotation").isTrue();
        }
        ConnectionDetails after = new TenantConnections(real.store, real.cipher).details(tenant.id());

        assertThat(after.password()).isNotEqualTo(before.password());
        assertThat(real.verifier.verify(after)).startsWith("PostgreSQL");
        assertThatThrownBy(() -> real.verifier.verify(before))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void aRotationThatCannotBeStoredRestoresTheOldPassword() throws Exception {
        Tenant tenant = provisioner.provision(new TenantRequest("Sticky", Environment.PRODUCTION));
        ConnectionDetails before = real.storedDetails(tenant.id());
        // The new password is set and verified; only storing its sealed string fails, so the restore must run.
        TenantStore refusingToStore = (TenantStore) Proxy.newProxyInstance(TenantStore.class.getClassLoader(),
                new Class<?>[] {TenantStore.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("replaceSecret")) {
                        throw new SQLException("injected store failure", "08006");
                    }
                    try {
                        return method.invoke(real.store, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<ConnectionDetails> verified = new ArrayList<>();
        TenantProvisioner failing = real.builder().tenantStore(refusingToStore).connectionVerifier(details -> {
            String version = real.verifier.verify(details);
            verified.add(details);
            return version;
        }).build();

        assertThatThrownBy(() -> failing.rotateCredentials(tenant.id()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));

        assertThat(verified).as("the new password worked before the store failed").hasSize(1);
        assertThat(real.verifier.verify(before)).startsWith("PostgreSQL");
        assertThatThrownBy(() -> real.verifier.verify(verified.get(0)))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        assertThat(real.storedDetails(tenant.id())).isEqualTo(before);
    }

    @Test
    void rekeyReEncryptsEverySecretSoOnlyTheNewPrimaryIsNeeded() throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(provisioner.provision(new TenantRequest("Keyed " + i, Environment.PRODUCTION)).id());
        }
        EncryptionKey next = randomKey();
        AesGcmCipherService rotated = new AesGcmCipherService(next, List.of(real.cipher.primaryKey()));

        TenantConnections.RekeyReport report = new TenantConnections(real.store, rotated).rekey(next.idHex(), 2);

        assertThat(report.reencrypted()).isEqualTo(5);
        assertThat(new TenantConnections(real.store, rotated).rekey(next.idHex(), 2).reencrypted()).isZero();
        TenantConnections newKeyOnly = new TenantConnections(real.store, new AesGcmCipherService(next));
        for (UUID id : ids) {
            assertThat(real.verifier.verify(newKeyOnly.details(id))).startsWith("PostgreSQL");
        }
        assertThatThrownBy(() -> new TenantConnections(real.store, real.cipher).details(ids.get(0)))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CRYPTO_FAILED));
    }

    @Test
    void listingPagesNewestFirstWithFiltersAndNeverRepeats() {
        List<UUID> production = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            production.add(provisioner.provision(new TenantRequest("P" + i, Environment.PRODUCTION)).id());
        }
        provisioner.provision(new TenantRequest("S", Environment.STAGING));

        List<UUID> seen = new ArrayList<>();
        TenantQuery query = new TenantQuery(Optional.of(Environment.PRODUCTION), Optional.of(TenantStatus.ACTIVE), 2,
                Optional.empty());
        while (true) {
            TenantPage page = provisioner.list(query);
            page.tenants().forEach(t -> seen.add(t.id()));
            if (page.nextCursor().isEmpty()) {
                break;
            }
            query = new TenantQuery(query.environment(), query.status(), 2, page.nextCursor());
        }

        List<UUID> newestFirst = new ArrayList<>(production);
        java.util.Collections.reverse(newestFirst);
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        assertThat(provisioner.list(TenantQuery.firstPage(100)).tenants()).hasSize(6);
    }

    @Test
    void theListenerSeesEveryStepAndTheOutcomeWithoutSecrets() {
        List<ProvisioningEvent> events = new CopyOnWriteArrayList<>();
        TenantProvisioner observed = real.builder().listener(events::add).build();

        Tenant tenant = observed.provision(new TenantRequest("Watched", Environment.PRODUCTION));
        observed.deprovision(tenant.id());

        assertThat(events).extracting(ProvisioningEvent::kind).containsExactly(Kind.STARTED, Kind.STEP_FINISHED,
                Kind.STEP_FINISHED, Kind.STEP_FINISHED, Kind.STEP_FINISHED, Kind.STEP_FINISHED, Kind.SUCCEEDED,
                Kind.DEPROVISIONED);
        assertThat(events).allSatisfy(e -> assertThat(e.tenantId()).isEqualTo(tenant.id()));
        assertThat(events).extracting(e -> e.step().orElse("-"))
                .containsExactly("-", "reserve", "create", "verify", "encrypt", "store", "-", "-");
    }

    private static EncryptionKey randomKey() {
        byte[] raw = new byte[EncryptionKey.LENGTH];
        new SecureRandom().nextBytes(raw);
        return EncryptionKey.of(raw);
    }
}
