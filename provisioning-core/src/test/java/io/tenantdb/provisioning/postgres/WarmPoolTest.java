package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm pool on a real PostgreSQL: claim, refill, shrink, schema versions, two instances, fall-back. */
@ExtendWith(RealProvisioningExtension.class)
class WarmPoolTest {

    private final List<PostgresWarmPool> pools = new ArrayList<>();
    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) {
        this.real = real;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (PostgresWarmPool pool : pools) {
            pool.close();
        }
    }

    @Test
    void aClaimedEntryBecomesATenantLikeAColdOneAndThePoolRefills() throws Exception {
        PostgresWarmPool pool = started(pool(real, 1, null));
        awaitStatus(pool, s -> s.ready() == 1);
        String entry = poolObjects(real).get(0);
        List<String> steps = new CopyOnWriteArrayList<>();
        TenantProvisioner provisioner = real.builder().warmPool(pool)
                .listener(e -> e.step().ifPresent(steps::add)).build();

        Tenant tenant = provisioner.provision(new TenantRequest("Warm", Environment.PRODUCTION));

        assertThat(steps).containsExactly("reserve", "claim", "verify", "encrypt", "store");
        assertThat(real.databasesWithPrefix()).contains(tenant.databaseName()).doesNotContain(entry);
        assertThat(real.rolesWithPrefix()).contains(tenant.databaseName()).doesNotContain(entry);
        String mark = new OwnershipMark(real.store.controlPlaneId(), tenant.id()).comment();
        assertThat(Sql.strings(real.postgres.adminDataSource(), """
                SELECT shobj_description(d.oid, 'pg_database') || ' ' || shobj_description(r.oid, 'pg_authid')
                       || ' ' || (r.oid = d.datdba) || ' ' || has_database_privilege('public', d.oid, 'CONNECT')
                  FROM pg_database d, pg_roles r WHERE d.datname = ? AND r.rolname = ?""",
                tenant.databaseName(), tenant.databaseName()))
                .containsExactly(mark + " " + mark + " true false");
        ConnectionDetails stored = real.storedDetails(tenant.id());
        assertThat(real.verifier.verify(stored)).startsWith("PostgreSQL");
        assertThat(stored.database()).isEqualTo(tenant.databaseName());
        awaitStatus(pool, s -> s.ready() == 1);
        assertThat(poolObjects(real)).doesNotContain(entry);
        assertThat(real.reconciler().reconcile(false).clean()).isTrue();
    }

    @Test
    void anEmptyPoolFallsBackToCreatingTheDatabase() throws Exception {
        PostgresWarmPool empty = pool(real, 2, null);
        List<String> steps = new CopyOnWriteArrayList<>();
        TenantProvisioner provisioner = real.builder().warmPool(empty)
                .listener(e -> e.step().ifPresent(steps::add)).build();

        Tenant tenant = provisioner.provision(new TenantRequest("Cold", Environment.PRODUCTION));

        assertThat(steps).containsExactly("reserve", "create", "verify", "encrypt", "store");
        assertThat(real.verifier.verify(real.storedDetails(tenant.id()))).startsWith("PostgreSQL");
        assertThat(empty.status()).isEqualTo(new WarmPoolStatus(2, 0, 0, 0));
    }

    @Test
    void entriesAreNeverListedCountedOrReturnedAsTenantsNorTouchedByTheReconciler() throws Exception {
        PostgresWarmPool pool = started(pool(real, 2, null));
        awaitStatus(pool, s -> s.ready() == 2);
        TenantProvisioner provisioner = real.builder().warmPool(pool).build();

        assertThat(provisioner.list(TenantQuery.firstPage(100)).tenants()).isEmpty();
        assertThat(real.reconciler().reconcile(false).clean()).isTrue();
        assertThat(poolObjects(real)).hasSize(4);
        assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT count(*) FROM control_plane.tenants")).containsExactly("0");
    }

    @Test
    void shrinkingTheTargetDropsTheSurplusAndGrowingRefillsWithinIt() throws Exception {
        PostgresWarmPool pool = started(pool(real, 3, null));
        awaitStatus(pool, s -> s.ready() == 3);

        pool.resize(1);
        awaitStatus(pool, s -> s.ready() == 1 && s.making() == 0);
        // A surplus entry's row goes first, its objects a moment later.
        awaitObjects(real, 2);

        pool.resize(2);
        awaitStatus(pool, s -> s.ready() == 2);
        awaitObjects(real, 4);
        assertThat(pool.status()).isEqualTo(new WarmPoolStatus(2, 2, 0, 0));
    }

    @Test
    void aNewSchemaVersionReplacesStaleEntriesWhichAreNeverHandedOut() throws Exception {
        VersionedSchema schema = new VersionedSchema("1");
        PostgresWarmPool pool = started(pool(real, 1, schema));
        awaitStatus(pool, s -> s.ready() == 1);
        String stale = poolObjects(real).get(0);

        schema.version.set("2");
        // Whether or not the pass has replaced it yet, the tenant gets version 2.
        Tenant tenant = real.builder().warmPool(pool).databaseInitializer(schema).build()
                .provision(new TenantRequest("Versioned", Environment.PRODUCTION));

        assertThat(tables(real.storedDetails(tenant.id()))).containsExactly("schema_v2");
        awaitStatus(pool, s -> s.ready() == 1 && s.stale() == 0);
        assertThat(real.databasesWithPrefix()).doesNotContain(stale);
    }

    @Test
    void twoInstancesClaimDistinctEntriesFromOnePoolAndNeverMakeItLargerThanTheTarget() throws Exception {
        JdbcTenantStore secondStore = new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase));
        PostgresWarmPool first = started(pool(real, 4, null));
        awaitStatus(first, s -> s.ready() == 4);
        PostgresWarmPool second = started(PostgresWarmPool.builder(secondStore, real.creator, real.verifier)
                .databasePrefix(real.prefix).targetSize(4).build());
        List<String> steps = new CopyOnWriteArrayList<>();
        TenantProvisioner one = real.builder().warmPool(first).listener(e -> e.step().ifPresent(steps::add)).build();
        TenantProvisioner two = real.builder().tenantStore(secondStore).warmPool(second)
                .listener(e -> e.step().ifPresent(steps::add)).build();

        ExecutorService workers = Executors.newFixedThreadPool(4);
        try {
            List<Future<Tenant>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TenantProvisioner through = i % 2 == 0 ? one : two;
                String name = "Concurrent " + i;
                Callable<Tenant> call = () -> through.provision(new TenantRequest(name, Environment.PRODUCTION));
                futures.add(workers.submit(call));
            }
            Set<String> databases = new java.util.HashSet<>();
            for (Future<Tenant> future : futures) {
                databases.add(future.get().databaseName());
            }
            assertThat(databases).hasSize(4);
        } finally {
            workers.shutdownNow();
            secondStore.close();
        }
        assertThat(steps.stream().filter("claim"::equals).count()).isEqualTo(4);
        awaitStatus(first, s -> s.ready() == 4);
        awaitObjects(real, 8);
        assertThat(second.status()).isEqualTo(new WarmPoolStatus(4, 4, 0, 0));
    }

    @Test
    void theReconcilerDropsAnEntryWhoseRowIsGoneAndNeverAnotherControlPlanesEntries() throws Exception {
        try (RealProvisioning other = real.anotherControlPlane()) {
            PostgresWarmPool ours = started(pool(real, 1, null));
            PostgresWarmPool theirs = started(pool(other, 1, null));
            awaitStatus(ours, s -> s.ready() == 1);
            awaitStatus(theirs, s -> s.ready() == 1);
            ours.close();
            List<String> ourObjects = markedBy(real);
            List<String> theirObjects = markedBy(other);
            assertThat(ourObjects).hasSize(2);
            assertThat(theirObjects).hasSize(2);
            // A claim whose tenant was rolled back by a crash leaves the entry's objects without a row.
            Sql.strings(real.postgres.dataSource(real.controlDatabase),
                    "DELETE FROM control_plane.warm_pool_entries RETURNING id");

            ReconcileReport report = real.reconciler().reconcile(false);

            assertThat(report.droppedDatabases()).hasSize(1);
            assertThat(ourObjects).containsAll(report.droppedDatabases());
            assertThat(poolObjects(real)).containsExactlyInAnyOrderElementsOf(theirObjects);
            assertThat(other.reconciler().reconcile(false).clean()).isTrue();
            theirs.close();
        }
    }

    @Test
    void instancesWithDifferentSizesFollowTheLastSizeWrittenAndNeverFightOverEntries() throws Exception {
        JdbcTenantStore secondStore = new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase));
        try {
            PostgresWarmPool first = started(pool(real, 3, null));
            awaitStatus(first, s -> s.ready() == 3);

            // A second instance configured with 1 starts: 1 is now every instance's size.
            PostgresWarmPool second = started(PostgresWarmPool.builder(secondStore, real.creator, real.verifier)
                    .databasePrefix(real.prefix).targetSize(1).checkInterval(Duration.ofMillis(200)).build());
            awaitStatus(first, s -> s.target() == 1 && s.ready() == 1 && s.making() == 0);
            assertThat(second.status()).isEqualTo(first.status());
            awaitObjects(real, 2);

            // Resized on the second instance, the first one follows.
            second.resize(2);
            awaitStatus(first, s -> s.target() == 2 && s.ready() == 2);
            assertThat(first.targetSize()).isEqualTo(2);
            assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                    "SELECT warm_pool_target::text FROM control_plane.servers WHERE name = 'default'"))
                    .containsExactly("2");
        } finally {
            secondStore.close();
        }
    }

    private PostgresWarmPool started(PostgresWarmPool pool) {
        pools.add(pool);
        return pool.start();
    }

    static PostgresWarmPool pool(RealProvisioning real, int target, DatabaseInitializer initializer) {
        PostgresWarmPool.Builder builder = PostgresWarmPool.builder(real.store, real.creator, real.verifier)
                .databasePrefix(real.prefix).targetSize(target).checkInterval(Duration.ofSeconds(1))
                .refillDelay(Duration.ofMillis(100));
        if (initializer != null) {
            builder.initializer(initializer);
        }
        return builder.build();
    }

    /** The databases and roles named as pool entries of this test's prefix. */
    static List<String> poolObjects(RealProvisioning real) throws SQLException {
        List<String> objects = new ArrayList<>();
        for (String name : real.databasesWithPrefix()) {
            if (name.startsWith(real.prefix + "pool_")) {
                objects.add(name);
            }
        }
        for (String name : real.rolesWithPrefix()) {
            if (name.startsWith(real.prefix + "pool_")) {
                objects.add(name);
            }
        }
        return objects;
    }

    /** The pool databases and roles marked by this control plane. */
    private static List<String> markedBy(RealProvisioning real) throws SQLException {
        String mark = "tenantdb:" + real.store.controlPlaneId() + ":%";
        return Sql.strings(real.postgres.adminDataSource(), """
                SELECT datname FROM pg_database
                 WHERE starts_with(datname, ?) AND shobj_description(oid, 'pg_database') LIKE ?
                UNION ALL
                SELECT rolname FROM pg_roles
                 WHERE starts_with(rolname, ?) AND shobj_description(oid, 'pg_authid') LIKE ?
                """, real.prefix + "pool_", mark, real.prefix + "pool_", mark);
    }

    /** Polls the pool's recorded state until it matches; the pool works in the background. */
    static WarmPoolStatus awaitStatus(PostgresWarmPool pool, Predicate<WarmPoolStatus> condition) throws Exception {
        WarmPoolStatus status = pool.status();
        for (int i = 0; i < 1200 && !condition.test(status); i++) {
            Thread.sleep(50);
            status = pool.status();
        }
        assertThat(status).matches(condition, "the pool reaches the expected state within 60 s");
        return status;
    }

    /** Polls until this test's prefix has {@code count} pool databases and roles together. */
    private static void awaitObjects(RealProvisioning real, int count) throws Exception {
        for (int i = 0; i < 1200 && poolObjects(real).size() != count; i++) {
            Thread.sleep(50);
        }
        assertThat(poolObjects(real)).hasSize(count);
    }

    private List<String> tables(ConnectionDetails details) throws SQLException {
        return Sql.strings(real.postgres.dataSource(details.database(), details.user(),
                details.password()), "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    }

    /** A versioned initializer whose current version a test changes: each version creates a table of its name. */
    private static final class VersionedSchema implements DatabaseInitializer {
        final AtomicReference<String> version;
        private final TenantConnector connector = TenantConnector.withDefaults();

        VersionedSchema(String initial) {
            this.version = new AtomicReference<>(initial);
        }

        @Override
        public void initialize(ConnectionDetails details) throws SQLException {
            try (Connection connection = connector.open(details);
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE schema_v" + Integer.parseInt(version.get()) + " (id int)");
            }
        }

        @Override
        public Optional<String> schemaVersion() {
            return Optional.of(version.get());
        }
    }
}
