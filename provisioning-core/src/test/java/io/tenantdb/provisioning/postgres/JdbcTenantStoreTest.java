package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.TenantStore.StoredDatabase;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class JdbcTenantStoreTest {

    private TestDatabase database;
    private JdbcTenantStore store;

    @BeforeEach
    void setUp(TestDatabase database) {
        this.database = database;
        this.store = new JdbcTenantStore(database.dataSource());
    }

    @Test
    void migrateAppliesEveryScriptOnceAndIsANoOpTheSecondTime() throws SQLException {
        assertThat(store.migrate()).isEqualTo(SchemaMigrator.SCRIPTS.size());
        assertThat(store.migrate()).isZero();

        assertThat(versions()).hasSize(SchemaMigrator.SCRIPTS.size());
    }

    @Test
    void versionsAreTheNumbersInTheScriptNamesAndAMissingLowerOneIsStillApplied() throws SQLException {
        store.migrate();
        List<Integer> numbered = SchemaMigrator.SCRIPTS.stream().map(SchemaMigrator::version).toList();
        assertThat(numbered).as("numbered by name, not by position").contains(9).doesNotHaveDuplicates();
        assertThat(Sql.strings(database.dataSource(),
                "SELECT version::text AS v FROM control_plane.schema_version ORDER BY schema_version.version"))
                .containsExactlyElementsOf(numbered.stream().map(String::valueOf).toList());

        // A database that misses a version below the highest one it has (V7 here, under V9) gets it applied, as a
        // database migrated by a branch with V9 gets a V8 merged later.
        Sql.execute(database.dataSource(), "DROP TABLE control_plane.tenant_schemas;"
                + " DELETE FROM control_plane.schema_version WHERE version = 7");
        assertThat(store.migrate()).isEqualTo(1);
        assertThat(Sql.strings(database.dataSource(),
                "SELECT count(*)::text FROM control_plane.tenant_schemas")).containsExactly("0");
        assertThatThrownBy(() -> SchemaMigrator.version("servers.sql")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void migrateFromFourThreadsAtOnceOnAFreshDatabaseAppliesEachScriptOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.migrate();
                }));
            }
            start.countDown();
            int applied = 0;
            for (Future<Integer> result : results) {
                applied += result.get();
            }

            assertThat(applied).isEqualTo(SchemaMigrator.SCRIPTS.size());
            assertThat(versions()).hasSize(SchemaMigrator.SCRIPTS.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reserveRefusesALiveNameIgnoringCaseAndReleaseFreesIt() throws SQLException {
        store.migrate();
        Tenant first = tenant("Acme", Environment.PRODUCTION);

        assertThat(store.reserve(first)).isTrue();
        assertThat(store.reserve(tenant("ACME", Environment.PRODUCTION))).isFalse();
        assertThat(store.reserve(tenant("acme", Environment.DEVELOPMENT))).isTrue();
        store.release(first.id());
        store.release(first.id());
        assertThat(store.reserve(tenant("aCmE", Environment.PRODUCTION))).isTrue();
    }

    @Test
    void activateRecordsTheDatabaseAndOnlyOnce() throws SQLException {
        store.migrate();
        Tenant tenant = tenant("Acme", Environment.STAGING);
        store.reserve(tenant);
        StoredDatabase database = new StoredDatabase(tenant.databaseName(), tenant.databaseName(), "sealed",
                "0a0b0c0d");

        assertThat(store.findDatabase(tenant.id())).isEmpty();
        store.activate(tenant.id(), database);

        assertThat(store.find(tenant.id())).contains(tenant.withStatus(TenantStatus.ACTIVE));
        assertThat(store.findDatabase(tenant.id())).contains(database);
        assertThatThrownBy(() -> store.activate(tenant.id(), database))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55000"));
        assertThat(store.find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void countByStatusCountsEveryStatusZeroIncluded() throws SQLException {
        store.migrate();
        assertThat(store.countByStatus()).hasSize(TenantStatus.values().length).allSatisfy(
                (status, count) -> assertThat(count).isZero());
        Tenant active = tenant("Active", Environment.PRODUCTION);
        Tenant deleted = tenant("Deleted", Environment.PRODUCTION);
        for (Tenant tenant : List.of(active, deleted)) {
            store.reserve(tenant);
            store.activate(tenant.id(), new StoredDatabase(tenant.databaseName(), tenant.databaseName(), "sealed",
                    "0a0b0c0d"));
        }
        store.reserve(tenant("Provisioning", Environment.STAGING));
        store.beginDeletion(deleted.id());
        store.finishDeletion(deleted.id());

        assertThat(store.countByStatus()).containsEntry(TenantStatus.ACTIVE, 1L)
                .containsEntry(TenantStatus.PROVISIONING, 1L).containsEntry(TenantStatus.DELETED, 1L)
                .containsEntry(TenantStatus.DELETING, 0L).containsEntry(TenantStatus.FAILED, 0L);
    }

    @Test
    void activateOfAReleasedTenantFailsAndWritesNothing() throws SQLException {
        store.migrate();
        Tenant tenant = tenant("Acme", Environment.STAGING);
        store.reserve(tenant);
        store.release(tenant.id());

        assertThatThrownBy(() -> store.activate(tenant.id(),
                new StoredDatabase(tenant.databaseName(), tenant.databaseName(), "sealed", "0a0b0c0d")))
                .isInstanceOf(SQLException.class);
        assertThat(store.find(tenant.id())).isEmpty();
        assertThat(store.findDatabase(tenant.id())).isEmpty();
    }

    @Test
    void activateWithAnotherDatabaseThanTheReservedOneChangesNeitherRow() throws SQLException {
        store.migrate();
        Tenant tenant = tenant("Acme", Environment.STAGING);
        store.reserve(tenant);

        assertThatThrownBy(() -> store.activate(tenant.id(),
                new StoredDatabase("car_other", "car_other", "sealed", "0a0b0c0d")))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55000"));
        assertThat(store.find(tenant.id())).map(Tenant::status).contains(TenantStatus.PROVISIONING);
        assertThat(store.findDatabase(tenant.id())).isEmpty();
    }

    private List<String> versions() throws SQLException {
        return Sql.strings(database.dataSource(),
                "SELECT script FROM control_plane.schema_version ORDER BY version");
    }

    private static Tenant tenant(String name, Environment environment) {
        UUID id = UUID.randomUUID();
        return new Tenant(id, name, environment, TenantStatus.PROVISIONING, "car_" + id.toString().replace('-', '_'),
                Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
