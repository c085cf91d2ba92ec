package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.InMemoryIdempotencyStore;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link IdempotentProvisioner} over the in-memory fakes: each outcome of a claim, and each failure around it. */
class IdempotentProvisionerTest {

    private static final TenantRequest ACME = new TenantRequest("Acme", Environment.PRODUCTION);

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final InMemoryIdempotencyStore keys = new InMemoryIdempotencyStore();
    private final TenantProvisioner provisioner = fakes.builder().idempotencyStore(keys).build();

    @Test
    void theSameKeyAndRequestReturnTheFirstTenantAndCreateOneDatabase() {
        Tenant first = provisioner.provision(ACME, "k");

        Tenant again = provisioner.provision(ACME, "k");

        assertThat(first.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(again).isEqualTo(first);
        assertThat(fakes.creator.databases()).containsExactly(first.databaseName());
        assertThat(keys.completed("k")).isTrue();
    }

    @Test
    void theSameKeyWithAnotherNameEnvironmentOrCaseIsReusedAndCreatesNothing() {
        provisioner.provision(ACME, "k");

        for (TenantRequest other : new TenantRequest[] {new TenantRequest("Acme", Environment.STAGING),
                new TenantRequest("ACME", Environment.PRODUCTION),
                new TenantRequest("Other", Environment.PRODUCTION)}) {
            assertThatThrownBy(() -> provisioner.provision(other, "k"))
                    .isInstanceOfSatisfying(ProvisioningException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED));
        }
        assertThat(fakes.creator.databases()).hasSize(1);
    }

    @Test
    void aFailedRequestReleasesItsKeySoARetryRunsAgain() {
        fakes.verifier.faults().arm("verify", new SQLException("injected", "XX000"));

        assertThatThrownBy(() -> provisioner.provision(ACME, "k"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFY_FAILED));
        assertThat(keys.holds("k")).isFalse();

        Tenant tenant = provisioner.provision(ACME, "k");
        assertThat(fakes.creator.databases()).containsExactly(tenant.databaseName());
    }

    @Test
    void aReleaseThatFailsIsAttachedToTheRequestsFailure() {
        SQLException releaseFailure = new SQLException("injected release", "XX000");
        fakes.verifier.faults().arm("verify", new SQLException("injected", "XX000"));
        keys.faults().arm("release", releaseFailure);

        assertThatThrownBy(() -> provisioner.provision(ACME, "k"))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VERIFY_FAILED);
                    assertThat(e.getSuppressed()).containsExactly(releaseFailure);
                });
    }

    @Test
    void aClaimHeldByARunningRequestIsInProgressAndCreatesNothing() throws Exception {
        keys.claim("k", IdempotentProvisioner.hash(ACME), UUID.randomUUID());

        assertThatThrownBy(() -> provisioner.provision(ACME, "k"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_IN_PROGRESS));
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(keys.holds("k")).as("the running request keeps its claim").isTrue();
    }

    @Test
    void aClaimWhoseTenantIsStillProvisioningIsInProgress() throws Exception {
        TenantProvisioner other = fakes.builder().idempotencyStore(keys).databaseInitializer(details -> {
            assertThatThrownBy(() -> provisioner.provision(ACME, "k"))
                    .isInstanceOfSatisfying(ProvisioningException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_IN_PROGRESS));
        }).build();

        Tenant tenant = other.provision(ACME, "k");

        assertThat(provisioner.provision(ACME, "k")).isEqualTo(tenant);
        assertThat(fakes.creator.databases()).containsExactly(tenant.databaseName());
    }

    @Test
    void aKeyWhoseCompletionWasLostReturnsTheActivatedTenantAndCompletesTheKey() {
        keys.faults().arm("complete", new SQLException("lost", "08006"));
        Tenant first = provisioner.provision(ACME, "k");
        assertThat(keys.completed("k")).isFalse();

        Tenant again = provisioner.provision(ACME, "k");

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(keys.completed("k")).isTrue();
        assertThat(fakes.creator.databases()).containsExactly(first.databaseName());
    }

    @Test
    void aCompletedKeyWhoseTenantIsGoneIsNotFound() throws Exception {
        Tenant tenant = provisioner.provision(ACME, "k");
        fakes.store.release(tenant.id());

        assertThatThrownBy(() -> provisioner.provision(ACME, "k"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
    }

    @Test
    void aCompletedKeyOfADeletedTenantReturnsTheTombstone() {
        Tenant tenant = provisioner.provision(ACME, "k");
        provisioner.deprovision(tenant.id());

        assertThat(provisioner.provision(ACME, "k").status()).isEqualTo(TenantStatus.DELETED);
        assertThat(fakes.creator.databases()).isEmpty();
    }

    @Test
    void aFailingClaimIsAReserveFailureOrUnavailableAndCreatesNothing() {
        keys.faults().arm("claim", new SQLException("broken", "XX000"));
        assertThatThrownBy(() -> provisioner.provision(ACME, "k"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESERVE_FAILED));

        keys.faults().arm("claim", new SQLTransientConnectionException("down", "08001"));
        assertThatThrownBy(() -> provisioner.provision(ACME, "k"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void withoutAKeyEveryOperationIsTheSagas() {
        Tenant tenant = provisioner.provision(ACME);

        assertThat(provisioner.find(tenant.id())).contains(tenant);
        assertThat(provisioner.list(TenantQuery.firstPage(10)).tenants()).containsExactly(tenant);
        assertThat(provisioner.rotateCredentials(tenant.id())).isEqualTo(tenant);
        assertThat(provisioner.deprovision(tenant.id()).status()).isEqualTo(TenantStatus.DELETED);
        assertThat(fakes.creator.databases()).isEmpty();
    }

    @Test
    void theRequestHashCoversEnvironmentAndExactName() {
        assertThat(IdempotentProvisioner.hash(ACME)).isEqualTo(IdempotentProvisioner.hash(
                new TenantRequest("Acme", Environment.PRODUCTION))).hasSize(64);
        assertThat(IdempotentProvisioner.hash(ACME))
                .isNotEqualTo(IdempotentProvisioner.hash(new TenantRequest("acme", Environment.PRODUCTION)))
                .isNotEqualTo(IdempotentProvisioner.hash(new TenantRequest("Acme", Environment.STAGING)));
    }

    @Test
    void nullArgumentsAreRefused() {
        assertThatThrownBy(() -> provisioner.provision(null, "k")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> provisioner.provision(ACME, null)).isInstanceOf(NullPointerException.class);
    }
}
