package io.tenantdb.provisioning.internal;

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
import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningEvent.Kind;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Deprovisioning, rotation, listing and the listener, over the in-memory fakes. */
class SagaLifecycleTest {

    private static final TenantRequest ACME = new TenantRequest("Acme", Environment.PRODUCTION);

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final List<ProvisioningEvent> events = new CopyOnWriteArrayList<>();
    private final TenantProvisioner provisioner = fakes.builder().listener(events::add).build();

    @Test
    void deprovisionDropsTheDatabaseAndRoleAndLeavesATombstone() {
        Tenant tenant = provisioner.provision(ACME);

        Tenant deleted = provisioner.deprovision(tenant.id());

        assertThat(deleted).isEqualTo(tenant.withStatus(TenantStatus.DELETED));
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(fakes.creator.roles()).isEmpty();
        assertThat(provisioner.find(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETED);
        assertThat(events).extracting(ProvisioningEvent::kind).endsWith(Kind.SUCCEEDED, Kind.DEPROVISIONED);
        assertThat(provisioner.deprovision(tenant.id()).status()).as("again").isEqualTo(TenantStatus.DELETED);
        assertThat(events).extracting(ProvisioningEvent::kind).filteredOn(Kind.DEPROVISIONED::equals).hasSize(1);
    }

    @Test
    void deprovisionOfAnUnknownTenantIsNotFoundAndOfAProvisioningOneIsNotActive() throws Exception {
        assertThatThrownBy(() -> provisioner.deprovision(UUID.randomUUID()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        Tenant pending = new Tenant(UUID.randomUUID(), "Pending", Environment.STAGING, TenantStatus.PROVISIONING,
                "car_pending", java.time.Instant.now());
        fakes.store.reserve(pending);

        assertThatThrownBy(() -> provisioner.deprovision(pending.id()))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_ACTIVE);
                    assertThat(e.getMessage()).contains("provisioning");
                });
        assertThatThrownBy(() -> provisioner.rotateCredentials(pending.id()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_ACTIVE));
        assertThatThrownBy(() -> provisioner.rotateCredentials(UUID.randomUUID()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
    }

    @Test
    void aDeletionInterruptedAtTheDropCanBeFinishedByCallingAgain() {
        Tenant tenant = provisioner.provision(ACME);
        fakes.creator.faults().arm("drop", new SQLException("busy", "55006"));

        assertThatThrownBy(() -> provisioner.deprovision(tenant.id()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED));
        assertThat(provisioner.find(tenant.id())).map(Tenant::status).contains(TenantStatus.DELETING);

        assertThat(provisioner.deprovision(tenant.id()).status()).isEqualTo(TenantStatus.DELETED);
        assertThat(fakes.creator.databases()).isEmpty();
    }

    @Test
    void aControlPlaneOutageDuringDeletionIsUnavailable() {
        Tenant tenant = provisioner.provision(ACME);
        fakes.store.faults().arm("finish-deletion", new SQLTransientConnectionException("down", "08006"));

        assertThatThrownBy(() -> provisioner.deprovision(tenant.id()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
    }

    @Test
    void rotationGivesANewWorkingPasswordAndStoresIt() {
        Tenant tenant = provisioner.provision(ACME);
        TenantConnections connections = new TenantConnections(fakes.store, fakes.cipher);
        ConnectionDetails before = connections.details(tenant.id());

        assertThat(provisioner.rotateCredentials(tenant.id())).isEqualTo(tenant.withStatus(TenantStatus.ACTIVE));

        ConnectionDetails after = connections.details(tenant.id());
        assertThat(after.password()).isNotEqualTo(before.password());
        assertThat(fakes.creator.accepts(after)).isTrue();
        assertThat(fakes.creator.accepts(before)).isFalse();
        assertThat(events).extracting(ProvisioningEvent::kind).endsWith(Kind.CREDENTIALS_ROTATED);
    }

    @Test
    void aRotationWhoseStoredSecretChangedMeanwhileFailsAndRestoresThePassword() throws Exception {
        Tenant tenant = provisioner.provision(ACME);
        TenantConnections connections = new TenantConnections(fakes.store, fakes.cipher);
        ConnectionDetails before = connections.details(tenant.id());
        TenantProvisioner racing = fakes.builder().connectionVerifier(details -> {
            // Another rotation replaces the secret between this one's read and its compare-and-set.
            var stored = fakes.store.findDatabase(tenant.id()).orElseThrow();
            fakes.store.replaceSecret(tenant.id(), stored.connectionStringEncrypted(),
                    new io.tenantdb.provisioning.spi.CipherService.SealedValue("other", stored.keyId()));
            return fakes.verifier.verify(details);
        }).build();

        assertThatThrownBy(() -> racing.rotateCredentials(tenant.id()))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                    assertThat(e.getMessage()).contains("changed");
                });
        assertThat(fakes.creator.accepts(before)).isTrue();
    }

    @Test
    void listAndFindReportControlPlaneFailuresByTheirCode() {
        Tenant tenant = provisioner.provision(ACME);
        TenantPage page = provisioner.list(TenantQuery.firstPage(10));
        assertThat(page.tenants()).containsExactly(tenant.withStatus(TenantStatus.ACTIVE));

        fakes.store.faults().arm("list", new SQLException("broken", "XX000"));
        assertThatThrownBy(() -> provisioner.list(TenantQuery.firstPage(10)))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED));
        fakes.store.faults().arm("list", new SQLTransientConnectionException("down", "08001"));
        assertThatThrownBy(() -> provisioner.list(TenantQuery.firstPage(10)))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
        assertThatThrownBy(() -> provisioner.list(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> provisioner.find(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> provisioner.deprovision(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> provisioner.rotateCredentials(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theListenerSeesEveryStepInOrderAndAFailureWithItsCode() {
        Tenant tenant = provisioner.provision(ACME);
        fakes.verifier.faults().arm("verify", new SQLException("injected", "XX000"));
        assertThatThrownBy(() -> provisioner.provision(new TenantRequest("Beta", Environment.PRODUCTION)))
                .isInstanceOf(ProvisioningException.class);

        assertThat(events.subList(0, 7)).allSatisfy(event -> assertThat(event.tenantId()).isEqualTo(tenant.id()));
        assertThat(events.subList(0, 7)).extracting(ProvisioningEvent::kind).containsExactly(Kind.STARTED,
                Kind.STEP_FINISHED, Kind.STEP_FINISHED, Kind.STEP_FINISHED, Kind.STEP_FINISHED, Kind.STEP_FINISHED,
                Kind.SUCCEEDED);
        assertThat(events.subList(1, 6)).extracting(event -> event.step().orElseThrow())
                .containsExactly("reserve", "create", "verify", "encrypt", "store");
        ProvisioningEvent failed = events.get(events.size() - 1);
        assertThat(failed.kind()).isEqualTo(Kind.FAILED);
        assertThat(failed.error()).contains(ErrorCode.VERIFY_FAILED);
        assertThat(failed.environment()).contains(Environment.PRODUCTION);
    }

    @Test
    void everyEventButAStepNamesTheTenantsEnvironment() {
        Tenant tenant = provisioner.provision(new TenantRequest("Staged", Environment.STAGING));
        provisioner.rotateCredentials(tenant.id());
        provisioner.deprovision(tenant.id());

        assertThat(events).filteredOn(event -> event.kind() != Kind.STEP_FINISHED).extracting(ProvisioningEvent::kind)
                .containsExactly(Kind.STARTED, Kind.SUCCEEDED, Kind.CREDENTIALS_ROTATED, Kind.DEPROVISIONED);
        assertThat(events).filteredOn(event -> event.kind() != Kind.STEP_FINISHED)
                .allSatisfy(event -> assertThat(event.environment()).contains(Environment.STAGING));
        assertThat(events).filteredOn(event -> event.kind() == Kind.STEP_FINISHED)
                .isNotEmpty().allSatisfy(event -> assertThat(event.environment()).isEmpty());
    }

    @Test
    void aListenerThatThrowsDoesNotFailTheProvisioning() {
        TenantProvisioner noisy = fakes.builder().listener(event -> {
            throw new IllegalStateException("listener bug");
        }).build();

        assertThat(noisy.provision(ACME).status()).isEqualTo(TenantStatus.ACTIVE);
    }

    @Test
    void everyListenerHearsEveryEventInOrderEvenAfterAnEarlierOneThrew() {
        List<String> heard = new ArrayList<>();
        TenantProvisioner chained = fakes.builder()
                .listener(event -> heard.add("first " + event.kind()))
                .listener(event -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(event -> heard.add("third " + event.kind()))
                .build();

        chained.provision(ACME);

        assertThat(heard).startsWith("first STARTED", "third STARTED").endsWith("first SUCCEEDED", "third SUCCEEDED")
                .hasSize(2 * (1 + 5 + 1));
    }

    @Test
    void aDuplicateIsReportedToTheListenerAsFailedAtReserve() {
        provisioner.provision(ACME);

        assertThatThrownBy(() -> provisioner.provision(ACME)).isInstanceOfSatisfying(ProvisioningException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_TENANT));

        ProvisioningEvent failed = events.get(events.size() - 1);
        assertThat(failed.kind()).isEqualTo(Kind.FAILED);
        assertThat(failed.step()).contains("reserve");
        assertThat(failed.error()).contains(ErrorCode.DUPLICATE_TENANT);
    }
}
