package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.PlacementPolicy;
import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Placement across three real PostgreSQL servers: the shared test server ({@code default}, which also holds the
 * control plane) and two embedded servers of this class, started once.
 */
@ExtendWith(RealProvisioningExtension.class)
class MultiServerProvisioningTest {

    private static DedicatedPostgres second;
    private static DedicatedPostgres third;

    private RealServers fleet;

    @BeforeAll
    static void startServers() {
        second = RealServers.startServer();
        third = RealServers.startServer();
    }

    @AfterAll
    static void stopServers() throws Exception {
        second.close();
        third.close();
    }

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        fleet = new RealServers(real);
    }

    @AfterEach
    void tearDown() throws Exception {
        fleet.close();
    }

    @Test
    void spreadsOneHundredTenantsInProportionToTheWeights() throws Exception {
        fleet.register("second", second.server(), 2, Optional.empty());
        fleet.register("third", third.server(), 2, Optional.empty());
        TenantProvisioner provisioner = fleet.provisioner();

        List<Tenant> tenants = provisionConcurrently(provisioner, 100, 4);

        Map<String, Long> perServer = tenants.stream()
                .collect(Collectors.groupingBy(Tenant::server, Collectors.counting()));
        // Weights 1 : 2 : 2 of 100 tenants.
        assertThat(perServer.get("default")).isBetween(15L, 25L);
        assertThat(perServer.get("second")).isBetween(35L, 45L);
        assertThat(perServer.get("third")).isBetween(35L, 45L);
        assertThat(fleet.databasesOn(second.server())).hasSize(perServer.get("second").intValue());
        assertThat(fleet.databasesOn(third.server())).hasSize(perServer.get("third").intValue());
        assertThat(fleet.registry.list()).extracting(DatabaseServer::tenants)
                .containsExactly(perServer.get("default").intValue(), perServer.get("second").intValue(),
                        perServer.get("third").intValue());
        System.out.println("spread of 100 tenants over weights default=1 second=2 third=2: " + perServer);
    }

    @Test
    void aDrainingServerGetsNoNewTenantsUntilItIsActiveAgain() throws Exception {
        fleet.register("second", second.server(), 1, Optional.empty());
        fleet.registry.change("second", new ServerChange(Optional.of(ServerState.DRAINING), Optional.empty(),
                Optional.empty()));
        TenantProvisioner provisioner = fleet.provisioner();

        for (int i = 0; i < 4; i++) {
            assertThat(provisioner.provision(request("drained " + i)).server()).isEqualTo("default");
        }
        assertThat(fleet.databasesOn(second.server())).isEmpty();

        fleet.registry.change("second", new ServerChange(Optional.of(ServerState.ACTIVE), Optional.empty(),
                Optional.empty()));
        assertThat(provisioner.provision(request("back")).server()).isEqualTo("second");
    }

    @Test
    void aServerThatIsDownIsSkippedAndLeftAloneDuringItsBackOff() throws Exception {
        DedicatedPostgres doomed = RealServers.startServer();
        TestPostgres doomedServer = doomed.server();
        // The empty server would take the first tenants; weight 10 makes it the first choice for a while.
        fleet.register("doomed", doomedServer, 10, Optional.empty());
        doomed.close();
        MutableClock clock = new MutableClock();
        RealServers instance = fleet.withClock(clock);
        TenantProvisioner provisioner = instance.provisioner();

        // Its port now accepts and at once closes every connection, counting them: a server that does not answer.
        try (RefusingListener listener = new RefusingListener(doomedServer.port())) {
            Tenant tenant = provisioner.provision(request("survivor"));

            assertThat(tenant.server()).isEqualTo("default");
            assertThat(fleet.real.databasesWithPrefix()).containsExactly(tenant.databaseName());
            assertThat(fleet.tenantRows()).isEqualTo(2);
            DatabaseServer down = instance.registry.list().stream().filter(s -> s.name().equals("doomed"))
                    .findFirst().orElseThrow();
            assertThat(down.healthy()).isFalse();
            assertThat(down.unhealthyUntil()).contains(clock.instant().plus(Duration.ofMinutes(5)));
            assertThat(down.tenants()).isZero();
            int attempts = listener.connections();
            assertThat(attempts).isPositive();

            // Within the back-off it is not even asked; after it, it is asked again.
            assertThat(provisioner.provision(request("second survivor")).server()).isEqualTo("default");
            assertThat(listener.connections()).isEqualTo(attempts);
            clock.advance(Duration.ofMinutes(6));
            assertThat(instance.registry.list().get(1).healthy()).isTrue();
            assertThat(provisioner.provision(request("third survivor")).server()).isEqualTo("default");
            assertThat(listener.connections()).isGreaterThan(attempts);
        }
    }

    @Test
    void noServerWithRoomAnswersNoCapacityAndLeavesNothing() throws Exception {
        fleet.registry.change(DatabaseServer.DEFAULT, new ServerChange(Optional.empty(), Optional.empty(),
                Optional.of(OptionalInt.of(1))));
        fleet.register("second", second.server(), 1, Optional.of(1));
        TenantProvisioner provisioner = fleet.provisioner();
        provisioner.provision(request("first"));
        provisioner.provision(request("second"));
        int rows = fleet.tenantRows();

        assertThatThrownBy(() -> provisioner.provision(request("third")))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY));

        assertThat(fleet.tenantRows()).isEqualTo(rows);
        assertThat(fleet.real.databasesWithPrefix()).hasSize(1);
        assertThat(fleet.databasesOn(second.server())).hasSize(1);
    }

    @Test
    void deletesRotatesAndConnectsEachTenantOnItsOwnServer() throws Exception {
        fleet.register("second", second.server(), 1, Optional.empty());
        fleet.register("third", third.server(), 1, Optional.empty());
        AtomicReference<String> target = new AtomicReference<>();
        TenantProvisioner provisioner = fleet.provisioner(onServer(target));
        Map<String, TestPostgres> byName = Map.of("default", fleet.real.postgres, "second", second.server(),
                "third", third.server());

        for (Map.Entry<String, TestPostgres> server : byName.entrySet()) {
            target.set(server.getKey());
            Tenant tenant = provisioner.provision(request("on " + server.getKey()));
            assertThat(tenant.server()).isEqualTo(server.getKey());
            assertThat(provisioner.find(tenant.id()).orElseThrow().server()).isEqualTo(server.getKey());
            ConnectionDetails before = fleet.connections().details(tenant.id());
            assertThat(before.port()).isEqualTo(server.getValue().port());

            provisioner.rotateCredentials(tenant.id());
            ConnectionDetails after = fleet.connections().details(tenant.id());
            assertThat(after.password()).isNotEqualTo(before.password());
            assertThat(fleet.real.verifier.verify(after)).startsWith("PostgreSQL");
            assertThatThrownBy(() -> fleet.real.verifier.verify(before)).isInstanceOf(java.sql.SQLException.class);

            assertThat(provisioner.deprovision(tenant.id()).status()).isEqualTo(TenantStatus.DELETED);
            assertThat(fleet.databasesOn(server.getValue())).isEmpty();
            assertThat(fleet.rolesOn(server.getValue())).isEmpty();
        }
    }

    @Test
    void reconcilesEachServerWithItsOwnTenantsAndObjectsOnly() throws Exception {
        fleet.register("second", second.server(), 1, Optional.empty());
        AtomicReference<String> target = new AtomicReference<>("second");
        TenantProvisioner provisioner = fleet.provisioner(onServer(target));
        Tenant kept = provisioner.provision(request("kept"));
        Tenant orphaned = provisioner.provision(request("orphaned"));
        target.set("default");
        Tenant onDefault = provisioner.provision(request("on default"));
        // The control plane forgets a tenant whose database stays behind on the second server.
        Sql.strings(fleet.real.postgres.dataSource(fleet.real.controlDatabase),
                "UPDATE control_plane.tenants SET status = 'deleted' WHERE id = ?::uuid RETURNING id",
                orphaned.id().toString());
        // And an active tenant of the default server loses its database: drift there, not on the second.
        try (Connection connection = fleet.real.postgres.adminDataSource().getConnection()) {
            connection.createStatement().execute("DROP DATABASE " + Identifiers.quote(onDefault.databaseName()));
        }

        RegistryReconciler.Result result = fleet.reconciler().reconcile(false);

        assertThat(result.unreachable()).isEmpty();
        assertThat(result.reports().get("second").droppedDatabases()).containsExactly(orphaned.databaseName());
        assertThat(result.reports().get("second").drift()).isEmpty();
        assertThat(result.reports().get(DatabaseServer.DEFAULT).droppedDatabases()).isEmpty();
        assertThat(result.reports().get(DatabaseServer.DEFAULT).drift())
                .extracting(ReconcileReport.Drift::tenantId).containsExactly(onDefault.id());
        assertThat(fleet.databasesOn(second.server())).containsExactly(kept.databaseName());
    }

    @Test
    void twoApiInstancesPlacingAtOnceNeverExceedAServersLimit() throws Exception {
        fleet.registry.change(DatabaseServer.DEFAULT, new ServerChange(Optional.empty(), Optional.empty(),
                Optional.of(OptionalInt.of(3))));
        fleet.register("second", second.server(), 1, Optional.of(3));
        TenantProvisioner first = fleet.provisioner();
        TenantProvisioner other = fleet.anotherInstance().provisioner();

        List<Callable<Optional<Tenant>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            TenantProvisioner instance = i % 2 == 0 ? first : other;
            String name = "racer " + i;
            calls.add(() -> {
                try {
                    return Optional.of(instance.provision(request(name)));
                } catch (ProvisioningException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY);
                    return Optional.empty();
                }
            });
        }
        List<Tenant> placed = run(calls, 10).stream().flatMap(Optional::stream).toList();

        assertThat(placed).hasSize(6);
        assertThat(placed.stream().collect(Collectors.groupingBy(Tenant::server, Collectors.counting())))
                .containsEntry("default", 3L).containsEntry("second", 3L);
        assertThat(fleet.databasesOn(second.server())).hasSize(3);
        assertThat(fleet.real.databasesWithPrefix()).hasSize(3);
    }

    @Test
    void aRestartedInstanceKeepsTheRegistryAndReachesEveryServer() throws Exception {
        fleet.register("second", second.server(), 3, Optional.of(50));
        List<DatabaseServer> before = fleet.registry.list();

        // A new JVM's view: new stores and a new directory over the same control plane, nothing kept in memory.
        RealServers restarted = fleet.anotherInstance();

        assertThat(restarted.registry.list()).isEqualTo(before);
        Tenant tenant = restarted.provisioner().provision(request("after restart"));
        assertThat(tenant.server()).isEqualTo("second");
        assertThat(fleet.databasesOn(second.server())).containsExactly(tenant.databaseName());
    }

    private static PlacementPolicy onServer(AtomicReference<String> target) {
        return candidates -> candidates.stream().filter(server -> server.name().equals(target.get())).findFirst();
    }

    private static TenantRequest request(String name) {
        return new TenantRequest(name + " " + UUID.randomUUID(), Environment.PRODUCTION);
    }

    private static List<Tenant> provisionConcurrently(TenantProvisioner provisioner, int count, int threads)
            throws Exception {
        List<Callable<Tenant>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = "spread " + i;
            calls.add(() -> provisioner.provision(request(name)));
        }
        return run(calls, threads);
    }

    private static <T> List<T> run(List<Callable<T>> calls, int threads) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<T> results = new ArrayList<>();
            for (Future<T> future : executor.invokeAll(calls)) {
                results.add(future.get());
            }
            return results;
        } finally {
            executor.shutdownNow();
        }
    }


    /** A clock a test moves by hand. */
    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** Listens on a port, closing every connection at once and counting them. */
    private static final class RefusingListener implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread acceptor;

        RefusingListener(int port) throws java.io.IOException {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("localhost", port));
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (java.io.IOException closed) {
                        // The listener was closed, or the client went away first.
                    }
                }
            }, "refusing-listener");
            acceptor.start();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join();
        }
    }
}
