package io.tenantdb.provisioning.pool;

import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TenantDataSources} on a real PostgreSQL, with the tenants provisioned once for the class through the real
 * provisioner, on eight threads. The number of tenants is {@code -Dtenantdb.pool.tenants} (default 1,000, the
 * issue's figure).
 */
@ExtendWith(PostgresExtension.class)
class TenantDataSourcesTest {

    private static final System.Logger LOG = System.getLogger(TenantDataSourcesTest.class.getName());
    private static final int TENANTS = Integer.getInteger("tenantdb.pool.tenants", 1000);
    private static final int BUDGET = 20;
    private static final int WORKERS = 8;

    private static PoolTestbed bed;
    private static List<Tenant> tenants;

    @BeforeAll
    static void provisionTenants(TestPostgres postgres) throws Exception {
        bed = new PoolTestbed(postgres);
        long started = System.nanoTime();
        tenants = bed.provision(TENANTS, 8);
        LOG.log(System.Logger.Level.INFO, "provisioned {0} tenants in {1} ms", TENANTS,
                (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        bed.close();
    }

    @Test
    void manyTenantsAreServedThroughTheBudgetThroughRotationAndDeletion() throws Exception {
        List<Tenant> served = tenants.subList(10, tenants.size());
        List<Tenant> rotated = served.subList(0, 5);
        Tenant doomed = served.get(5);
        // Every served tenant once, in random order, dealt out to the workers: none is skipped.
        List<Tenant> order = new ArrayList<>(served);
        Collections.shuffle(order);
        int queries = order.size();
        Set<UUID> landed = ConcurrentHashMap.newKeySet();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger misrouted = new AtomicInteger();
        Map<UUID, Throwable> failures = new ConcurrentHashMap<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        // Events stay in this process's provisioner: the pools notice the rotations and the deletion as another
        // instance would, at the next login.
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections).maxTotalConnections(BUDGET)
                .maxConnectionsPerTenant(2).maxPools(50).connectionTimeout(Duration.ofSeconds(20)).build()) {
            ExecutorService threads = Executors.newFixedThreadPool(WORKERS + 1);
            Future<?> sampler = threads.submit(() -> {
                try (Connection admin = bed.postgres.adminDataSource().getConnection()) {
                    while (sampling.get()) {
                        peak.accumulateAndGet(bed.pooledSessions(admin), Math::max);
                        samples.incrementAndGet();
                    }
                }
                return null;
            });
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int first = w;
                workers.add(threads.submit(() -> {
                    for (int q = first; q < queries; q += WORKERS) {
                        Tenant tenant = order.get(q);
                        try {
                            if (PoolTestbed.currentDatabase(sources.dataSource(tenant.id()))
                                    .equals(tenant.databaseName())) {
                                landed.add(tenant.id());
                            } else {
                                misrouted.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.putIfAbsent(tenant.id(), e);
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            while (done.get() < queries / 3) {
                Thread.sleep(10);
            }
            for (Tenant tenant : rotated) {
                bed.provisioner.rotateCredentials(tenant.id());
            }
            bed.provisioner.deprovision(doomed.id());
            for (Future<?> worker : workers) {
                worker.get();
            }
            for (Tenant tenant : rotated) {
                assertThat(PoolTestbed.currentDatabase(sources.dataSource(tenant.id())))
                        .isEqualTo(tenant.databaseName());
            }
            sampling.set(false);
            sampler.get();
            threads.shutdown();

            LOG.log(System.Logger.Level.INFO, "{0} queries to {1} tenants, peak {2} tenant sessions in {3} samples",
                    done.get(), served.size(), peak.get(), samples.get());
            assertThat(done).hasValue(queries);
            assertThat(misrouted).hasValue(0);
            assertThat(landed).containsAll(served.stream().map(Tenant::id).filter(id -> !id.equals(doomed.id()))
                    .toList());
            assertThat(failures).allSatisfy((tenantId, failure) -> assertThat(tenantId).isEqualTo(doomed.id()));
            assertThat(peak.get()).isPositive().isLessThanOrEqualTo(BUDGET);
            assertThat(sources.stats().openConnections()).isLessThanOrEqualTo(BUDGET);
            assertThat(sources.stats().pools()).isLessThanOrEqualTo(50);
            assertThatThrownBy(() -> sources.dataSource(doomed.id()))
                    .isInstanceOfSatisfying(ProvisioningException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_ACTIVE));
        }
    }

    @Test
    void firstUseOfOneTenantFromSixteenThreadsOpensOnePool() throws Exception {
        Tenant tenant = tenants.get(0);
        int threads = 16;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections).maxConnectionsPerTenant(4)
                .build()) {
            List<Future<String>> databases = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                databases.add(pool.submit(() -> {
                    start.await();
                    return PoolTestbed.currentDatabase(sources.dataSource(tenant.id()));
                }));
            }
            for (Future<String> database : databases) {
                assertThat(database.get()).isEqualTo(tenant.databaseName());
            }
            assertThat(sources.stats().pools()).isEqualTo(1);
            try (Connection admin = bed.postgres.adminDataSource().getConnection()) {
                assertThat(bed.sessionsOf(admin, tenant)).isBetween(1, 4);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void credentialsRotatedElsewhereArePickedUpAtTheNextLogin() throws Exception {
        Tenant tenant = tenants.get(1);
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections).build()) {
            DataSource dataSource = sources.dataSource(tenant.id());
            try (Connection held = dataSource.getConnection()) {
                bed.provisioner.rotateCredentials(tenant.id());

                // The held session survives; a second one needs a new login with the new password.
                assertThat(PoolTestbed.currentDatabase(dataSource)).isEqualTo(tenant.databaseName());
                assertThat(held.isValid(2)).isTrue();
            }
        }
    }

    @Test
    void aDeprovisionedTenantsPoolIsClosedAndItsSessionsEnded() throws Exception {
        Tenant tenant = bed.provision(1, 1).get(0);
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections).build();
             Connection admin = bed.postgres.adminDataSource().getConnection()) {
            bed.listenTo(sources.listener());
            DataSource dataSource = sources.dataSource(tenant.id());
            assertThat(PoolTestbed.currentDatabase(dataSource)).isEqualTo(tenant.databaseName());

            bed.provisioner.deprovision(tenant.id());

            assertThat(sources.stats().pools()).isZero();
            assertThat(bed.sessionsOf(admin, tenant)).isZero();
            assertThatThrownBy(dataSource::getConnection)
                    .isInstanceOfSatisfying(ProvisioningException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_ACTIVE));
        } finally {
            bed.listenTo(event -> { });
        }
    }

    @Test
    void anUnknownTenantIsNotFound() {
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections).build()) {
            assertThatThrownBy(() -> sources.dataSource(UUID.randomUUID()))
                    .isInstanceOfSatisfying(ProvisioningException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        }
    }

    @Test
    void theLeastRecentlyUsedPoolsAreClosedBeyondMaxPools() throws Exception {
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections).maxPools(3).build()) {
            for (Tenant tenant : tenants.subList(2, 7)) {
                assertThat(PoolTestbed.currentDatabase(sources.dataSource(tenant.id())))
                        .isEqualTo(tenant.databaseName());
            }

            assertThat(sources.stats().pools()).isEqualTo(3);
        }
    }

    @Test
    void aPoolUnusedForTheIdleTimeoutIsClosed() throws Exception {
        Tenant tenant = tenants.get(7);
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections)
                .idleTimeout(Duration.ofMillis(200)).build();
             Connection admin = bed.postgres.adminDataSource().getConnection()) {
            PoolTestbed.currentDatabase(sources.dataSource(tenant.id()));

            // The sweep runs every second; waiting for it is not a timed assertion, the bound only stops a hang.
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((sources.stats().pools() > 0 || bed.sessionsOf(admin, tenant) > 0) && System.nanoTime() < giveUp) {
                Thread.sleep(50);
            }

            assertThat(sources.stats().pools()).isZero();
            assertThat(bed.sessionsOf(admin, tenant)).isZero();
        }
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        TenantDataSources.Builder builder = TenantDataSources.builder(bed.connections);
        assertThatThrownBy(() -> builder.maxTotalConnections(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.maxConnectionsPerTenant(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.maxPools(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.idleTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.connectionTimeout(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
