package io.tenantdb.provisioning.postgres;

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
import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.spi.PlacementPolicy;
import io.tenantdb.provisioning.spi.WarmPool.Reservation;
import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static io.tenantdb.provisioning.postgres.WarmPoolTest.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The warm pool of one server in a registry of two real PostgreSQL servers: the shared test server ({@code default},
 * which holds the control plane and the pool) and an embedded one of this class, started once. The pools here look
 * at the control plane only when asked (a check interval of an hour) and refill only after an hour without claims,
 * so an entry taken stays taken.
 */
@ExtendWith(RealProvisioningExtension.class)
class WarmPoolAcrossServersTest {

    private static DedicatedPostgres second;

    private final List<PostgresWarmPool> pools = new ArrayList<>();
    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> target = new AtomicReference<>(DatabaseServer.DEFAULT);
    private RealServers fleet;

    @BeforeAll
    static void startServer() {
        second = RealServers.startServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        second.close();
    }

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        fleet = new RealServers(real);
        fleet.register("second", second.server(), 1, Optional.empty());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (PostgresWarmPool pool : pools) {
            pool.close();
        }
        fleet.close();
    }

    @Test
    void aTenantPlacedOnThePoolsServerIsClaimedWarmAndOneOnTheOtherServerIsCreatedCold() throws Exception {
        PostgresWarmPool pool = started(DatabaseServer.DEFAULT, 1);
        awaitStatus(pool, s -> s.ready() == 1);
        String entry = readyEntries().get(0);
        // A rename keeps the database's oid; a database created for the tenant would get a new one.
        String entryOid = oidOf(entry);
        TenantProvisioner provisioner = provisioner(pool);

        Tenant warm = provisioner.provision(request("warm"));

        assertThat(warm.server()).isEqualTo(DatabaseServer.DEFAULT);
        assertThat(steps).containsExactly("reserve", "claim", "verify", "encrypt", "store");
        assertThat(oidOf(warm.databaseName())).isEqualTo(entryOid);
        assertThat(readyEntries()).doesNotContain(entry);
        assertThat(fleet.real.databasesWithPrefix()).contains(warm.databaseName()).doesNotContain(entry);
        assertThat(fleet.real.rolesWithPrefix()).contains(warm.databaseName()).doesNotContain(entry);
        assertThat(fleet.real.verifier.verify(fleet.real.storedDetails(warm.id()))).startsWith("PostgreSQL");

        steps.clear();
        target.set("second");
        Tenant cold = provisioner.provision(request("cold"));

        assertThat(cold.server()).isEqualTo("second");
        assertThat(steps).containsExactly("reserve", "create", "verify", "encrypt", "store");
        assertThat(fleet.databasesOn(second.server())).containsExactly(cold.databaseName());
        assertThat(fleet.real.verifier.verify(fleet.connections().details(cold.id()))).startsWith("PostgreSQL");
        assertThat(fleet.reconciler().reconcile(false).clean()).isTrue();
    }

    @Test
    void thePoolsServerFilledMeanwhileAnswersNoRoomAndTheTenantGoesColdToTheOtherServerKeepingTheEntry()
            throws Exception {
        PostgresWarmPool pool = started(DatabaseServer.DEFAULT, 1);
        awaitStatus(pool, s -> s.ready() == 1);
        List<String> entries = readyEntries();
        // The policy reads room for default, then (as another instance would) default reaches its limit before
        // the reservation locks its row.
        PlacementPolicy racing = candidates -> {
            if (candidates.stream().anyMatch(server -> server.name().equals(DatabaseServer.DEFAULT))) {
                limitDefault(0);
                return candidates.stream().filter(server -> server.name().equals(DatabaseServer.DEFAULT)).findFirst();
            }
            return candidates.stream().findFirst();
        };
        TenantProvisioner provisioner = fleet.builder(racing).warmPool(pool)
                .listener(e -> e.step().ifPresent(steps::add)).build();

        Tenant tenant = provisioner.provision(request("elsewhere"));

        assertThat(tenant.server()).isEqualTo("second");
        assertThat(steps).containsExactly("reserve", "create", "verify", "encrypt", "store");
        assertThat(pool.status()).isEqualTo(new WarmPoolStatus(1, 1, 0, 0));
        assertThat(readyEntries()).isEqualTo(entries);
        assertThat(fleet.real.databasesWithPrefix()).containsExactlyElementsOf(entries);
        assertThat(fleet.tenantRows()).isEqualTo(2);

        // The pool's own reservation on the full server: nothing written, nothing taken.
        Reservation refused = pool.reserveOnServer(pending("refused", DatabaseServer.DEFAULT));
        assertThat(refused).isEqualTo(Reservation.NO_ROOM);
        assertThat(fleet.tenantRows()).isEqualTo(2);
        assertThat(pool.status().ready()).isEqualTo(1);
    }

    @Test
    void aDrainingPoolServerHandsOutNoEntries() throws Exception {
        PostgresWarmPool pool = started(DatabaseServer.DEFAULT, 1);
        awaitStatus(pool, s -> s.ready() == 1);
        fleet.registry.change(DatabaseServer.DEFAULT, new ServerChange(Optional.of(ServerState.DRAINING),
                Optional.empty(), Optional.empty()));
        TenantProvisioner provisioner = fleet.builder(PlacementPolicy.weightedLeastLoaded()).warmPool(pool)
                .listener(e -> e.step().ifPresent(steps::add)).build();

        for (int i = 0; i < 2; i++) {
            assertThat(provisioner.provision(request("drained " + i)).server()).isEqualTo("second");
        }

        assertThat(steps).doesNotContain("claim");
        assertThat(pool.reserveOnServer(pending("drained", DatabaseServer.DEFAULT))).isEqualTo(Reservation.NO_ROOM);
        assertThat(pool.status()).isEqualTo(new WarmPoolStatus(1, 1, 0, 0));
        assertThat(fleet.tenantRows()).isEqualTo(4);
    }

    @Test
    void aDuplicateNameOnThePoolsServerIsRefusedWithNothingWrittenAndNoEntryTaken() throws Exception {
        PostgresWarmPool pool = started(DatabaseServer.DEFAULT, 2);
        awaitStatus(pool, s -> s.ready() == 2);
        TenantProvisioner provisioner = provisioner(pool);
        TenantRequest request = request("twice");
        provisioner.provision(request);
        int rows = fleet.tenantRows();
        List<String> ready = readyEntries();
        assertThat(ready).isNotEmpty();

        assertThatThrownBy(() -> provisioner.provision(new TenantRequest(request.name().toUpperCase(),
                request.environment())))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_TENANT));

        assertThat(fleet.tenantRows()).isEqualTo(rows);
        assertThat(readyEntries()).containsAll(ready);
        assertThat(steps.stream().filter("claim"::equals).count()).isEqualTo(1);
    }

    @Test
    void eachServersPoolCountsShrinksReconcilesAndHandsOutOnlyItsOwnEntries() throws Exception {
        PostgresWarmPool onDefault = started(DatabaseServer.DEFAULT, 1);
        PostgresWarmPool onSecond = started("second", 1);
        awaitStatus(onDefault, s -> s.ready() == 1);
        awaitStatus(onSecond, s -> s.ready() == 1);
        assertThat(fleet.databasesOn(second.server())).hasSize(1);

        // Shrinking the default server's pool drops its entry only.
        onDefault.resize(0);
        awaitStatus(onDefault, s -> s.ready() == 0);
        assertThat(entryRows(DatabaseServer.DEFAULT)).isEmpty();
        assertThat(onSecond.status()).isEqualTo(new WarmPoolStatus(1, 1, 0, 0));
        assertThat(fleet.databasesOn(second.server())).hasSize(1);

        // An entry of the second server whose maker died: the default server's pass leaves its row alone.
        UUID abandoned = UUID.randomUUID();
        Sql.strings(fleet.real.postgres.dataSource(fleet.real.controlDatabase), """
                INSERT INTO control_plane.warm_pool_entries (id, name, server_name, state, lease_expires_at)
                VALUES (?::uuid, ?, 'second', 'making', now() - interval '1 hour') RETURNING id""",
                abandoned.toString(), PostgresWarmPool.entryName(fleet.real.prefix, abandoned));
        new PostgresReconciler(fleet.store, fleet.directory.creatorFor(DatabaseServer.DEFAULT), fleet.real.prefix)
                .reconcile(false);
        assertThat(entryRows("second")).contains(abandoned);
        RegistryReconciler.Result result = fleet.reconciler().reconcile(false);
        assertThat(entryRows("second")).hasSize(1).doesNotContain(abandoned);
        assertThat(result.reports().get("second").droppedDatabases()).isEmpty();
        assertThat(fleet.databasesOn(second.server())).hasSize(1);

        // A pool on the second server serves the tenants placed there.
        target.set("second");
        Tenant claimed = provisioner(onSecond).provision(request("on second"));
        assertThat(steps).contains("claim");
        assertThat(fleet.databasesOn(second.server())).containsExactly(claimed.databaseName());
        assertThat(fleet.real.verifier.verify(fleet.connections().details(claimed.id()))).startsWith("PostgreSQL");
        assertThat(onSecond.status()).isEqualTo(new WarmPoolStatus(1, 0, 0, 0));
    }

    @Test
    void aPoolOnAnotherServerThanTheDefaultNeedsTheRegistry() {
        PostgresWarmPool pool = PostgresWarmPool.builder(fleet.store, fleet.real.creator, fleet.real.verifier)
                .server("second").build();
        pools.add(pool);

        assertThatThrownBy(() -> fleet.real.builder().warmPool(pool).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("second");
        assertThatThrownBy(() -> pool.reserveOnServer(pending("misplaced", DatabaseServer.DEFAULT)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresWarmPool.builder(fleet.store, fleet.real.creator, fleet.real.verifier)
                .server("Not A Name")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A started pool on {@code server}, made by that server's creator; it refills only after an hour's quiet. */
    private PostgresWarmPool started(String server, int size) throws SQLException {
        PostgresWarmPool pool = PostgresWarmPool.builder(fleet.store, fleet.directory.creatorFor(server),
                        fleet.real.verifier).server(server).databasePrefix(fleet.real.prefix).targetSize(size)
                .checkInterval(Duration.ofHours(1)).refillDelay(Duration.ofHours(1)).build();
        pools.add(pool);
        return pool.start();
    }

    /** Placing on the server {@link #target} names, recording the steps. */
    private TenantProvisioner provisioner(PostgresWarmPool pool) {
        PlacementPolicy onTarget = candidates -> candidates.stream()
                .filter(server -> server.name().equals(target.get())).findFirst();
        return fleet.builder(onTarget).warmPool(pool).listener(e -> e.step().ifPresent(steps::add)).build();
    }

    private void limitDefault(int max) {
        fleet.registry.change(DatabaseServer.DEFAULT, new ServerChange(Optional.empty(), Optional.empty(),
                Optional.of(OptionalInt.of(max))));
    }

    /** The default server's ready, unclaimed entries. */
    private List<String> readyEntries() throws SQLException {
        return Sql.strings(fleet.real.postgres.dataSource(fleet.real.controlDatabase), """
                SELECT name FROM control_plane.warm_pool_entries
                 WHERE server_name = 'default' AND state = 'ready' AND tenant_id IS NULL ORDER BY name""");
    }

    private String oidOf(String database) throws SQLException {
        return Sql.strings(fleet.real.postgres.adminDataSource(),
                "SELECT oid::text FROM pg_database WHERE datname = ?", database).get(0);
    }

    private List<UUID> entryRows(String server) throws SQLException {
        return Sql.strings(fleet.real.postgres.dataSource(fleet.real.controlDatabase),
                "SELECT id::text FROM control_plane.warm_pool_entries WHERE server_name = ?", server)
                .stream().map(UUID::fromString).toList();
    }

    private static Tenant pending(String name, String server) {
        UUID id = UUID.randomUUID();
        return new Tenant(id, name + " " + id, Environment.PRODUCTION, TenantStatus.PROVISIONING,
                "unused_" + id.toString().replace('-', '_'), Instant.now().truncatedTo(ChronoUnit.MICROS))
                .onServer(server);
    }

    private static TenantRequest request(String name) {
        return new TenantRequest(name + " " + UUID.randomUUID(), Environment.PRODUCTION);
    }
}
