package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.spi.IdempotencyStore.Claim;
import io.tenantdb.provisioning.spi.IdempotencyStore.Outcome;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(RealProvisioningExtension.class)
class IdempotentProvisioningTest {

    private RealProvisioning real;
    private JdbcIdempotencyStore keys;

    @BeforeEach
    void setUp(TestPostgres postgres, RealProvisioning real) throws Exception {
        this.real = real;
        keys = new JdbcIdempotencyStore(postgres.dataSource(real.controlDatabase));
    }

    @Test
    void theSameKeyAndRequestReturnTheFirstTenantAndCreateOneDatabase() throws Exception {
        TenantProvisioner provisioner = real.builder().idempotencyStore(keys).build();
        TenantRequest request = new TenantRequest("Acme", Environment.PRODUCTION);

        Tenant first = provisioner.provision(request, "key-1");
        Tenant again = provisioner.provision(request, "key-1");

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(real.databasesWithPrefix()).containsExactly(first.databaseName());
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefusedAndCreatesNothing() throws Exception {
        TenantProvisioner provisioner = real.builder().idempotencyStore(keys).build();
        provisioner.provision(new TenantRequest("Acme", Environment.PRODUCTION), "key-2");

        assertThatThrownBy(() -> provisioner.provision(new TenantRequest("Acme", Environment.STAGING), "key-2"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED));
        assertThat(real.databasesWithPrefix()).hasSize(1);
    }

    @Test
    void aFailedRequestReleasesItsKeySoARetryRunsAgain() throws Exception {
        AtomicBoolean failVerify = new AtomicBoolean(true);
        TenantProvisioner provisioner = real.builder().idempotencyStore(keys)
                .connectionVerifier(details -> {
                    if (failVerify.getAndSet(false)) {
                        throw new SQLException("injected", "XX000");
                    }
                    return real.verifier.verify(details);
                }).build();
        TenantRequest request = new TenantRequest("Retry Co", Environment.DEVELOPMENT);

        assertThatThrownBy(() -> provisioner.provision(request, "key-3")).isInstanceOf(ProvisioningException.class);
        Tenant tenant = provisioner.provision(request, "key-3");

        assertThat(real.databasesWithPrefix()).containsExactly(tenant.databaseName());
    }

    /**
     * The first call is held inside its verify step (its key claimed, its database made) while five more arrive with
     * the same key: each is told the request is in progress, without creating anything. Once the first is let go it
     * answers, and a later retry gets the same tenant.
     */
    @Test
    void whileTheFirstCallRunsRetriesWithItsKeyAreInProgressAndCreateNothing() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TenantProvisioner provisioner = real.builder().idempotencyStore(keys).connectionVerifier(details -> {
            held.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new SQLException("never released", "57014");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", "57014", e);
            }
            return real.verifier.verify(details);
        }).build();
        TenantRequest request = new TenantRequest("Racer", Environment.PRODUCTION);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            Future<Tenant> first = pool.submit(() -> provisioner.provision(request, "key-4"));
            assertThat(held.await(30, TimeUnit.SECONDS)).as("the first call reached its verify step").isTrue();

            List<Future<ErrorCode>> retries = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                retries.add(pool.submit(() -> {
                    try {
                        provisioner.provision(request, "key-4");
                        return null;
                    } catch (ProvisioningException e) {
                        return e.code();
                    }
                }));
            }
            for (Future<ErrorCode> retry : retries) {
                assertThat(retry.get()).isEqualTo(ErrorCode.REQUEST_IN_PROGRESS);
            }
            assertThat(first.isDone()).as("the first call is still held").isFalse();
            assertThat(real.databasesWithPrefix()).hasSize(1);

            release.countDown();
            Tenant tenant = first.get();

            assertThat(provisioner.provision(request, "key-4").id()).isEqualTo(tenant.id());
            assertThat(real.databasesWithPrefix()).containsExactly(tenant.databaseName());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void withoutAnIdempotencyStoreAKeyIsRefused() throws Exception {
        TenantProvisioner provisioner = real.builder().build();

        assertThatThrownBy(() -> provisioner.provision(new TenantRequest("X", Environment.PRODUCTION), "k"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_NOT_SUPPORTED));
        assertThat(real.databasesWithPrefix()).isEmpty();
    }

    @Test
    void anAbandonedClaimExpiresAndCompletedKeysArePurgedAfterRetention() throws Exception {
        JdbcIdempotencyStore quick = new JdbcIdempotencyStore(real.postgres.dataSource(real.controlDatabase),
                Duration.ofMinutes(2), Duration.ofHours(24));
        assertThat(quick.claim("abandoned", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.CLAIMED);
        assertThat(quick.claim("abandoned", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.IN_PROGRESS);
        UUID tenant = UUID.randomUUID();
        assertThat(quick.claim("done", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.CLAIMED);
        quick.complete("done", tenant);
        assertThat(quick.claim("done", "h", UUID.randomUUID()).tenantId()).contains(tenant);

        // Both keys age past their bounds on the server's clock, the one the store compares with.
        Sql.strings(real.postgres.dataSource(real.controlDatabase), """
                UPDATE control_plane.idempotency_keys
                   SET created_at = created_at - interval '25 hours',
                       completed_at = completed_at - interval '25 hours'
                RETURNING idempotency_key""");

        assertThat(quick.claim("abandoned", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.CLAIMED);
        assertThat(quick.purgeExpired()).isEqualTo(1);
        Claim reclaimed = quick.claim("done", "other", UUID.randomUUID());
        assertThat(reclaimed.outcome()).isEqualTo(Outcome.CLAIMED);
    }
}
