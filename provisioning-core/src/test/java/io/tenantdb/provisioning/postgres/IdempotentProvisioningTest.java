package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.spi.IdempotencyStore.Claim;
import io.tenantdb.provisioning.spi.IdempotencyStore.Outcome;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class IdempotentProvisioningTest {

    private RealProvisioning real;
    private JdbcIdempotencyStore keys;

    @BeforeEach
    void setUp(TestPostgres postgres) throws Exception {
        real = new RealProvisioning(postgres);
        keys = new JdbcIdempotencyStore(postgres.dataSource(real.controlDatabase));
    }

    @AfterEach
    void tearDown() throws Exception {
        real.close();
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

    @Test
    void concurrentRetriesWithOneKeyCreateExactlyOneTenant() throws Exception {
        TenantProvisioner provisioner = real.builder().idempotencyStore(keys).build();
        TenantRequest request = new TenantRequest("Racer", Environment.PRODUCTION);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<UUID>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Callable<UUID> call = () -> {
                    try {
                        return provisioner.provision(request, "key-4").id();
                    } catch (ProvisioningException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_IN_PROGRESS);
                        return null;
                    }
                };
                results.add(pool.submit(call));
            }
            Set<UUID> ids = new HashSet<>();
            for (Future<UUID> result : results) {
                UUID id = result.get();
                if (id != null) {
                    ids.add(id);
                }
            }
            assertThat(ids).hasSize(1);
            assertThat(real.databasesWithPrefix()).hasSize(1);
        } finally {
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
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(quick.claim("abandoned", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.CLAIMED);
        assertThat(quick.claim("abandoned", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.IN_PROGRESS);
        UUID tenant = UUID.randomUUID();
        assertThat(quick.claim("done", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.CLAIMED);
        quick.complete("done", tenant);
        assertThat(quick.claim("done", "h", UUID.randomUUID()).tenantId()).contains(tenant);

        Thread.sleep(1_100);

        assertThat(quick.claim("abandoned", "h", UUID.randomUUID()).outcome()).isEqualTo(Outcome.CLAIMED);
        assertThat(quick.purgeExpired()).isEqualTo(1);
        Claim reclaimed = quick.claim("done", "other", UUID.randomUUID());
        assertThat(reclaimed.outcome()).isEqualTo(Outcome.CLAIMED);
    }
}
