package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.flyway.TenantOutcome.Result;
import io.tenantdb.provisioning.spi.SchemaVersionStore.TenantSchema;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet migrator against a real PostgreSQL, over one fleet of 50 tenants shared by the tests. Each test keeps
 * its migrations in a Flyway schema of its own (so its history starts empty) and starts with no recorded version.
 */
@ExtendWith(PostgresExtension.class)
class FleetMigratorTest {

    private static final int FLEET = 50;
    private static Fleet fleet;
    private static List<Tenant> tenants;

    @TempDir
    Path temp;
    private String schema;

    @BeforeAll
    static void provisionFleet(TestPostgres postgres) throws Exception {
        fleet = new Fleet(postgres);
        tenants = fleet.provision(FLEET);
    }

    @AfterAll
    static void dropFleet() throws Exception {
        fleet.close();
    }

    @BeforeEach
    void startFromScratch(TestInfo test) throws Exception {
        fleet.forgetRecordedVersions();
        // Short: PostgreSQL truncates identifiers past 63 bytes.
        schema = "s_" + Integer.toHexString(test.getTestMethod().orElseThrow().getName().hashCode());
    }

    @Test
    void everyTenantReachesTheLatestVersionOwnedByItsRoleAndARerunTouchesNone() throws Exception {
        FlywayMigrations migrations = migrations(Map.of(
                "V1__items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);",
                "V2__item_name.sql", "ALTER TABLE items ADD COLUMN name text;",
                "V3__item_index.sql", "CREATE INDEX items_name_idx ON items (name);"));
        List<TenantOutcome> progress = new ArrayList<>();

        FleetReport first = fleet.migrator(migrations).run(new FleetRun(4, 0, false), progress::add);
        FleetReport rerun = fleet.migrator(migrations).run(new FleetRun(4, 0, false), progress::add);

        assertThat(first.count(Result.MIGRATED)).isEqualTo(FLEET);
        assertThat(first.allCurrent()).isTrue();
        assertThat(progress).hasSize(FLEET);
        assertThat(recorded().values()).hasSize(FLEET).allSatisfy(s -> assertThat(s.isAt("3")).isTrue());
        for (Tenant tenant : tenants) {
            assertThat(Sql.strings(fleet.tenantDatabase(tenant),
                    "SELECT tableowner FROM pg_tables WHERE schemaname = ? AND tablename = 'items'", schema))
                    .containsExactly(tenant.databaseName());
        }
        assertThat(rerun.alreadyCurrent()).isEqualTo(FLEET);
        assertThat(rerun.outcomes()).isEmpty();
        assertThat(rerun.summary()).isEqualTo("target 3: 0 migrated, 50 already current, 0 pending, 0 failed,"
                + " 0 skipped, 0 not attempted");
    }

    @Test
    void brokenTenantsFailAloneAreRecordedWithoutTheirSqlAndARerunRetriesOnlyThem() throws Exception {
        List<Tenant> broken = tenants.subList(10, 13);
        for (Tenant tenant : broken) {
            Sql.execute(fleet.tenantDatabase(tenant), "CREATE TABLE public.break_me (id int)");
        }
        FlywayMigrations migrations = migrations(Map.of(
                "V1__items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);",
                "V2__check.sql", """
                        DO $$ BEGIN
                          IF to_regclass('public.break_me') IS NOT NULL THEN
                            RAISE EXCEPTION USING ERRCODE = '23514', MESSAGE = 'customer card 4111 rejected';
                          END IF;
                        END $$;
                        """));

        FleetReport report = fleet.migrator(migrations).run(new FleetRun(4, 0, false), outcome -> { });
        for (Tenant tenant : broken) {
            Sql.execute(fleet.tenantDatabase(tenant), "DROP TABLE public.break_me");
        }
        FleetReport rerun = fleet.migrator(migrations).run(new FleetRun(4, 0, false), outcome -> { });

        assertThat(report.count(Result.MIGRATED)).isEqualTo(FLEET - broken.size());
        assertThat(report.failures()).extracting(TenantOutcome::tenantId)
                .containsExactlyInAnyOrderElementsOf(ids(broken));
        assertThat(report.failures()).allSatisfy(failure -> {
            assertThat(failure.failedVersion()).contains("2");
            assertThat(failure.reason()).contains("23514");
        });
        assertThat(rerun.outcomes()).extracting(TenantOutcome::tenantId)
                .containsExactlyInAnyOrderElementsOf(ids(broken));
        assertThat(rerun.count(Result.MIGRATED)).isEqualTo(broken.size());
        assertThat(recorded().values()).allSatisfy(s -> assertThat(s.isAt("2")).isTrue());
        assertThat(Sql.strings(fleet.postgres.dataSource(fleet.controlDatabase),
                "SELECT count(*) FROM control_plane.tenant_schemas WHERE failure_code IS NOT NULL"))
                .containsExactly("0");
    }

    @Test
    void aFailureIsRecordedAsItsCodeOnly() throws Exception {
        Tenant tenant = tenants.get(0);
        Sql.execute(fleet.tenantDatabase(tenant), "CREATE TABLE public.break_me (id int)");
        try {
            fleet.migrator(migrations(Map.of("V1__check.sql", """
                    DO $$ BEGIN
                      IF to_regclass('public.break_me') IS NOT NULL THEN
                        RAISE EXCEPTION USING ERRCODE = '23514', MESSAGE = 'customer card 4111 rejected';
                      END IF;
                    END $$;
                    """))).run(new FleetRun(8, 0, false), outcome -> { });
        } finally {
            Sql.execute(fleet.tenantDatabase(tenant), "DROP TABLE public.break_me");
        }

        assertThat(Sql.strings(fleet.postgres.dataSource(fleet.controlDatabase),
                "SELECT concat_ws('|', version, failed_version, failure_code) FROM control_plane.tenant_schemas"
                        + " WHERE tenant_id = ?::uuid", tenant.id().toString())).containsExactly("1|23514");
        assertThat(Sql.strings(fleet.postgres.dataSource(fleet.controlDatabase),
                "SELECT count(*) FROM control_plane.tenant_schemas t WHERE t::text LIKE '%4111%'"))
                .containsExactly("0");
    }

    @Test
    void twoOverlappingRunsApplyEachMigrationOnceAndMigrateEachTenantOnce() throws Exception {
        FlywayMigrations migrations = migrations(Map.of(
                "V1__items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);",
                "V2__more.sql", "ALTER TABLE items ADD COLUMN name text;"));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService runs = Executors.newFixedThreadPool(2);
        List<FleetReport> reports = new ArrayList<>();
        try {
            List<Future<FleetReport>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                futures.add(runs.submit(() -> {
                    start.await();
                    return fleet.migrator(migrations).run(new FleetRun(4, 0, false), outcome -> { });
                }));
            }
            start.countDown();
            for (Future<FleetReport> future : futures) {
                reports.add(future.get());
            }
        } finally {
            runs.shutdownNow();
        }

        Map<UUID, Long> migratedBy = reports.stream().flatMap(r -> r.outcomes().stream())
                .filter(o -> o.result() == Result.MIGRATED)
                .collect(Collectors.groupingBy(TenantOutcome::tenantId, Collectors.counting()));
        assertThat(migratedBy).hasSize(FLEET).allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
        assertThat(reports).allSatisfy(r -> assertThat(r.failures()).isEmpty());
        assertThat(reports.stream().flatMap(r -> r.outcomes().stream()).filter(o -> o.result() == Result.SKIPPED))
                .allSatisfy(o -> assertThat(o.reason()).contains("being migrated by another run"));
        for (Tenant tenant : tenants) {
            assertThat(Sql.strings(fleet.tenantDatabase(tenant), "SELECT count(*) FROM " + schema
                    + ".flyway_schema_history WHERE version IS NOT NULL")).containsExactly("2");
        }
        assertThat(recorded().values()).hasSize(FLEET).allSatisfy(s -> assertThat(s.isAt("2")).isTrue());
    }

    @Test
    void aFailingCanaryStopsTheRunBeforeTheOtherTenants() throws Exception {
        FlywayMigrations migrations = migrations(Map.of("V1__broken.sql", "CREATE TABLE (;"));

        FleetReport report = fleet.migrator(migrations).run(new FleetRun(4, 3, false), outcome -> { });

        assertThat(report.canaryFailed()).isTrue();
        assertThat(report.outcomes()).hasSize(3).allSatisfy(o -> {
            assertThat(o.result()).isEqualTo(Result.FAILED);
            assertThat(o.reason()).contains("42601");
        });
        assertThat(report.notAttempted()).isEqualTo(FLEET - 3);
        assertThat(recorded()).hasSize(3);
        assertThat(report.summary()).endsWith("47 not attempted (canary failed: stopped)");
    }

    @Test
    void aPassingCanaryLetsTheRestFollow() throws Exception {
        FlywayMigrations migrations = migrations(Map.of("V1__items.sql", "CREATE TABLE items (id bigint);"));

        FleetReport report = fleet.migrator(migrations).run(new FleetRun(4, 5, false), outcome -> { });

        assertThat(report.canaryFailed()).isFalse();
        assertThat(report.count(Result.MIGRATED)).isEqualTo(FLEET);
    }

    @Test
    void aDryRunReportsThePendingVersionsPerTenantAndChangesNothing() throws Exception {
        Path directory = Fleet.migrations(temp, "dry", Map.of("V1__items.sql", "CREATE TABLE items (id bigint);"));
        Tenant ahead = tenants.get(5);
        new FlywayInitializer(FlywayMigrations.fromDirectory(directory, c -> c.schemas(schema)), fleet.connector,
                fleet.store).initialize(fleet.connections.details(ahead.id()));
        Fleet.migrations(temp, "dry", Map.of("V2__name.sql", "ALTER TABLE items ADD COLUMN name text;"));

        FleetReport report = fleet.migrator(FlywayMigrations.fromDirectory(directory, c -> c.schemas(schema)))
                .run(new FleetRun(4, 0, true), outcome -> { });

        Map<UUID, List<String>> pending = report.outcomes().stream()
                .collect(Collectors.toMap(TenantOutcome::tenantId, TenantOutcome::pending));
        assertThat(pending).hasSize(FLEET);
        assertThat(pending.get(ahead.id())).containsExactly("2");
        assertThat(pending).allSatisfy((id, versions) -> {
            if (!id.equals(ahead.id())) {
                assertThat(versions).containsExactly("1", "2");
            }
        });
        assertThat(report.allCurrent()).isFalse();
        assertThat(recorded()).isEmpty();
        assertThat(Sql.strings(fleet.tenantDatabase(tenants.get(6)),
                "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema)).containsExactly("0");
    }

    @Test
    void aTenantDeletedDuringTheRunIsSkippedAndADeletedOneIsNeverListed() throws Exception {
        // Tenants are taken newest first: the trigger goes first, the one deleted during the run right after it.
        Tenant deletedBefore = fleet.provision(1).get(0);
        Tenant deletedDuring = fleet.provision(1).get(0);
        Tenant trigger = fleet.provision(1).get(0);
        fleet.provisioner(null).deprovision(deletedBefore.id());
        FlywayMigrations migrations = migrations(Map.of("V1__items.sql", "CREATE TABLE items (id bigint);"));
        List<UUID> seen = new ArrayList<>();

        FleetReport report = fleet.migrator(migrations).run(new FleetRun(1, 0, false), outcome -> {
            if (outcome.tenantId().equals(trigger.id())) {
                fleet.provisioner(null).deprovision(deletedDuring.id());
            }
            seen.add(outcome.tenantId());
        });

        assertThat(seen).doesNotContain(deletedBefore.id());
        assertThat(seen.subList(0, 2)).containsExactly(trigger.id(), deletedDuring.id());
        assertThat(report.outcomes()).filteredOn(o -> o.tenantId().equals(deletedDuring.id())).singleElement()
                .satisfies(o -> {
                    assertThat(o.result()).isEqualTo(Result.SKIPPED);
                    assertThat(o.reason()).contains("deleted");
                });
        assertThat(report.count(Result.MIGRATED)).isEqualTo(FLEET + 1);
        fleet.provisioner(null).deprovision(trigger.id());
    }

    @Test
    void aRunKilledHalfWayIsResumedByTheNextOneWhichTakesOnlyTheRest() throws Exception {
        Path directory = Fleet.migrations(temp, "slow", Map.of(
                "V1__items.sql", "CREATE TABLE items (id bigint); SELECT pg_sleep(0.05);"));
        Set<UUID> doneByChild = killChildAfter(directory, 10);
        awaitNoTenantSessions();
        Set<UUID> recordedAfterKill = recorded().keySet();

        FleetReport resumed = fleet.migrator(FlywayMigrations.fromDirectory(directory, c -> c.schemas(schema)))
                .run(new FleetRun(4, 0, false), outcome -> { });

        assertThat(recordedAfterKill).containsAll(doneByChild).hasSizeLessThan(FLEET);
        assertThat(resumed.alreadyCurrent()).isEqualTo(recordedAfterKill.size());
        assertThat(resumed.outcomes()).extracting(TenantOutcome::tenantId)
                .doesNotContainAnyElementsOf(recordedAfterKill)
                .hasSize(FLEET - recordedAfterKill.size());
        assertThat(resumed.failures()).isEmpty();
        assertThat(recorded().values()).hasSize(FLEET).allSatisfy(s -> assertThat(s.isAt("1")).isTrue());
        for (Tenant tenant : tenants) {
            assertThat(Sql.strings(fleet.tenantDatabase(tenant), "SELECT count(*) FROM " + schema
                    + ".flyway_schema_history WHERE version = '1' AND success")).containsExactly("1");
        }
    }

    /** Starts a fleet run in a child JVM and kills it with SIGKILL once it reported {@code tenants} finished. */
    private Set<UUID> killChildAfter(Path directory, int tenantsDone) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                MigratingChild.class.getName(), fleet.postgres.host(), Integer.toString(fleet.postgres.port()),
                fleet.postgres.adminUser(), fleet.postgres.adminPassword(), fleet.controlDatabase,
                directory.toString(), schema).redirectErrorStream(true);
        builder.environment().put(MigratingChild.KEY_VARIABLE, Base64.getEncoder().encodeToString(fleet.key));
        Process child = builder.start();
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            Set<UUID> done = new java.util.HashSet<>();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                seen.add(line);
                if (line.startsWith(MigratingChild.DONE)) {
                    done.add(UUID.fromString(line.split(" ")[1]));
                    if (done.size() == tenantsDone) {
                        child.destroyForcibly();
                        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                        return done;
                    }
                }
            }
            throw new AssertionError("the child ended before finishing " + tenantsDone + " tenants: " + seen);
        } finally {
            child.destroyForcibly();
        }
    }

    /** Waits (bounded) until the killed child's tenant sessions have ended on the server, releasing their locks. */
    private static void awaitNoTenantSessions() throws Exception {
        for (int i = 0; i < 200; i++) {
            if (Sql.strings(fleet.postgres.adminDataSource(),
                    "SELECT count(*) FROM pg_stat_activity WHERE starts_with(usename, ?)", fleet.prefix)
                    .equals(List.of("0"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the killed child's tenant sessions did not end within 10 s");
    }

    private FlywayMigrations migrations(Map<String, String> files) throws Exception {
        return FlywayMigrations.fromDirectory(Fleet.migrations(temp, "migrations", files),
                configuration -> configuration.schemas(schema));
    }

    private static Map<UUID, TenantSchema> recorded() throws Exception {
        return new HashMap<>(fleet.store.schemas(ids(tenants)));
    }

    private static List<UUID> ids(Collection<Tenant> tenants) {
        return tenants.stream().map(Tenant::id).collect(Collectors.toList());
    }
}
