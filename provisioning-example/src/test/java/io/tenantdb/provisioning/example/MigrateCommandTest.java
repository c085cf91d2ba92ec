package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.flyway.FleetConsole;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code TENANT_MIGRATIONS} and the {@code migrate} command, through {@link Main} against a real PostgreSQL. */
class MigrateCommandTest {

    /** The sample set shipped for the demo. */
    private static final Path SAMPLE = Path.of("migrations");

    @TempDir
    Path temp;
    private TestPostgres postgres;
    private String controlDatabase;
    private Path migrations;
    private Map<String, String> environment;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        postgres = TestPostgres.get();
        controlDatabase = postgres.createDatabase("example_migrate_");
        migrations = Files.createDirectory(temp.resolve("migrations"));
        Files.copy(SAMPLE.resolve("V1__items.sql"), migrations.resolve("V1__items.sql"));
        environment = new HashMap<>(ExampleTesting.environment(postgres, controlDatabase, ExampleTesting.newKey(),
                ExampleTesting.newToken()));
        environment.put("TENANT_MIGRATIONS", migrations.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        ExampleTesting.dropAll(postgres, controlDatabase);
    }

    @Test
    void newTenantsGetTheLatestMigrationsAndMigrateBringsTheRestUpNamingEachFailedTenant() throws Exception {
        List<Tenant> tenants = provision("Alpha", "Beta", "Gamma");
        Files.copy(SAMPLE.resolve("V2__item_price.sql"), migrations.resolve("V2__item_price.sql"));

        assertThat(run("migrate", "--parallelism", "2")).as(err.toString()).isZero();
        String upgraded = out.toString();
        Tenant broken = tenants.get(1);
        execute(broken, "CREATE TABLE public.break_me (id int)");
        Files.writeString(migrations.resolve("V3__check.sql"), """
                DO $$ BEGIN
                  IF to_regclass('public.break_me') IS NOT NULL THEN
                    RAISE EXCEPTION USING ERRCODE = '23514', MESSAGE = 'rejected';
                  END IF;
                END $$;
                """);
        out.reset();

        assertThat(run("migrate", "--dry-run")).as(err.toString()).isZero();
        String dryRun = out.toString();
        out.reset();
        assertThat(run("migrate")).isEqualTo(Main.EXIT_FAILURE);

        assertThat(upgraded).contains("migrate: 3 tenant(s) to check", "migrate: 3/3 tenant ",
                "migrate: target 2: 3 migrated, 0 already current, 0 pending, 0 failed, 0 skipped, 0 not attempted");
        assertThat(dryRun).contains("pending 3", "target 3: 0 migrated, 0 already current, 3 pending");
        assertThat(out.toString()).contains("target 3: 2 migrated", "1 failed",
                "failed: tenant " + broken.id() + " at version 3 (23514)");
        try (Backends backends = Backends.open(Configuration.from(environment))) {
            assertThat(backends.application().schemas().version(tenants.get(0).id())).contains("3");
            assertThat(backends.application().schemas().version(broken.id())).contains("2");
            assertThat(backends.application().schemas().summary(java.util.Optional.empty(), 10).failedTenants())
                    .containsExactly(broken.id());
        }
    }

    @Test
    void aProvisioningWhoseMigrationFailsIsRefusedAndLeavesNothingBehind() throws Exception {
        Files.writeString(migrations.resolve("V2__broken.sql"), "INSERT INTO no_such_table VALUES (1);");

        try (Backends backends = Backends.open(Configuration.from(environment))) {
            assertThatThrownBy(() -> backends.application().provisioner()
                    .provision(new TenantRequest("Doomed", Environment.PRODUCTION)))
                    .isInstanceOfSatisfying(ProvisioningException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INITIALIZE_FAILED));
        }

        assertThat(count("SELECT count(*) FROM control_plane.tenants")).isZero();
        assertThat(count("SELECT count(*) FROM control_plane.tenant_schemas")).isZero();
    }

    @Test
    void aMissingDirectoryOrABadlyNamedFileIsAConfigurationErrorNamingTheVariable() throws Exception {
        environment.put("TENANT_MIGRATIONS", temp.resolve("absent").toString());
        assertThat(run("migrate")).isEqualTo(Main.EXIT_USAGE);
        Files.writeString(migrations.resolve("V2-items.sql"), "");
        environment.put("TENANT_MIGRATIONS", migrations.toString());
        assertThat(run("serve")).isEqualTo(Main.EXIT_USAGE);

        assertThat(err.toString()).contains("configuration error: TENANT_MIGRATIONS must be a directory of Flyway"
                + " SQL migrations: " + temp.resolve("absent") + " is not a directory")
                .contains("V2-items.sql in " + migrations + " is not named V<version>__<description>.sql");
    }

    @Test
    void migrateNeedsTheVariableAndValidOptions() throws Exception {
        assertThat(run("migrate", "--parallelism", "0")).isEqualTo(Main.EXIT_USAGE);
        assertThat(run("migrate", "--canary")).isEqualTo(Main.EXIT_USAGE);
        environment.remove("TENANT_MIGRATIONS");
        assertThat(run("migrate")).isEqualTo(Main.EXIT_USAGE);

        assertThat(err.toString()).contains(FleetConsole.USAGE)
                .contains("configuration error: TENANT_MIGRATIONS must name the directory");
    }

    private List<Tenant> provision(String... names) throws Exception {
        List<Tenant> tenants = new ArrayList<>();
        try (Backends backends = Backends.open(Configuration.from(environment))) {
            for (String name : names) {
                tenants.add(backends.application().provisioner().provision(new TenantRequest(name,
                        Environment.PRODUCTION)));
            }
        }
        return tenants;
    }

    private void execute(Tenant tenant, String sql) throws Exception {
        try (Connection connection = postgres.dataSource(tenant.databaseName()).getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private int count(String sql) throws Exception {
        try (Connection connection = postgres.dataSource(controlDatabase).getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private int run(String... args) throws InterruptedException {
        return Main.run(List.of(args), environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
