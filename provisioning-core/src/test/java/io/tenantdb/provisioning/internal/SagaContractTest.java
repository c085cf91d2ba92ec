package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.DatabaseCreator;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two promises of the saga that the step-by-step fault tests do not pin down: every long step renews the lease
 * before it runs once half of it has passed (reliability.md), and a rotation that fails after the new password was
 * set puts the old one back (http-api.md).
 */
class SagaContractTest {

    private static final TenantRequest ACME = new TenantRequest("Acme", Environment.PRODUCTION);

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();

    @Test
    void createRunsOnTheReservationsLeaseAndVerifyAndInitializeEachRenewItBeforeTheyRun() {
        List<String> stepsSeen = new ArrayList<>();
        DatabaseCreator creator = new DatabaseCreator() {
            @Override
            public ConnectionDetails create(UUID tenantId, String databaseName, String roleName) throws SQLException {
                stepsSeen.add("create sees " + fakes.store.step(tenantId));
                return fakes.creator.create(tenantId, databaseName, roleName);
            }

            @Override
            public void drop(UUID tenantId, String databaseName, String roleName) throws SQLException {
                fakes.creator.drop(tenantId, databaseName, roleName);
            }

            @Override
            public ConnectionDetails rotatePassword(String databaseName, String roleName) throws SQLException {
                return fakes.creator.rotatePassword(databaseName, roleName);
            }

            @Override
            public void restorePassword(ConnectionDetails previous) throws SQLException {
                fakes.creator.restorePassword(previous);
            }
        };
        TenantProvisioner provisioner = fakes.builder()
                .databaseCreator(creator)
                .connectionVerifier(details -> {
                    stepsSeen.add("verify sees " + fakes.store.step(fakes.store.tenants().get(0).id()));
                    return fakes.verifier.verify(details);
                })
                .databaseInitializer(details ->
                        stepsSeen.add("initialize sees " + fakes.store.step(fakes.store.tenants().get(0).id())))
                .build();

        provisioner.provision(ACME);

        assertThat(stepsSeen).containsExactly("create sees reserve", "verify sees verify",
                "initialize sees initialize");
    }

    @Test
    void aLeaseLessThanHalfGoneIsNotRenewedAndAFailingRenewalWouldHaveStoppedTheProvisioning() {
        fakes.store.lease(Duration.ofMinutes(2));
        fakes.store.faults().arm("advance", new SQLException("tenant is no longer being provisioned", "55000"));
        List<String> stepsSeen = new ArrayList<>();
        TenantProvisioner provisioner = fakes.builder()
                .databaseInitializer(details ->
                        stepsSeen.add("initialize sees " + fakes.store.step(fakes.store.tenants().get(0).id())))
                .build();

        Tenant tenant = provisioner.provision(ACME);

        // Milliseconds into a two-minute lease, verify and initialize run on the reservation's lease.
        assertThat(stepsSeen).containsExactly("initialize sees reserve");
        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
    }

    @ParameterizedTest(name = "rotation failing at {0}")
    @ValueSource(strings = {"verify", "replace-secret"})
    void aRotationThatFailsAfterSettingTheNewPasswordRestoresTheOldOne(String failingOperation) {
        TenantProvisioner provisioner = fakes.provisioner();
        Tenant tenant = provisioner.provision(ACME);
        TenantConnections connections = new TenantConnections(fakes.store, fakes.cipher);
        ConnectionDetails before = connections.details(tenant.id());
        assertThat(fakes.creator.accepts(before)).isTrue();
        List<ConnectionDetails> tried = new ArrayList<>();
        TenantProvisioner rotating = fakes.builder().connectionVerifier(details -> {
            tried.add(details);
            return fakes.verifier.verify(details);
        }).build();
        (failingOperation.equals("verify") ? fakes.verifier.faults() : fakes.store.faults())
                .arm(failingOperation, new SQLException("injected", "XX000"));

        assertThatThrownBy(() -> rotating.rotateCredentials(tenant.id()))
                .isInstanceOf(ProvisioningException.class);

        assertThat(tried).as("the new password was set before the failure").hasSize(1);
        assertThat(tried.get(0).password()).isNotEqualTo(before.password());
        assertThat(fakes.creator.accepts(before)).as("the old password works again").isTrue();
        assertThat(fakes.creator.accepts(tried.get(0))).as("the new password is gone").isFalse();
        assertThat(connections.details(tenant.id())).isEqualTo(before);
    }

    @Test
    void aRotationWhoseRestoreAlsoFailsReportsTheStoreFailureWithTheRestoreSuppressed() {
        TenantProvisioner provisioner = fakes.provisioner();
        Tenant tenant = provisioner.provision(ACME);
        SQLException restoreFailure = new SQLException("injected restore", "XX000");
        fakes.store.faults().arm("replace-secret", new SQLException("injected store", "XX000"));
        fakes.creator.faults().arm("restore", restoreFailure);

        assertThatThrownBy(() -> provisioner.rotateCredentials(tenant.id()))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                    assertThat(e.getSuppressed()).containsExactly(restoreFailure);
                });
    }
}
