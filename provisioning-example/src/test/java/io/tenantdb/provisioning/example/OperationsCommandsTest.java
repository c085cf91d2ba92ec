package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.postgres.JdbcConnectionVerifier;
import io.tenantdb.provisioning.postgres.JdbcTenantStore;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code reconcile} and {@code rekey} subcommands, run through {@link Main} against a real PostgreSQL. */
class OperationsCommandsTest {

    private TestPostgres postgres;
    private String controlDatabase;
    private Map<String, String> environment;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        postgres = TestPostgres.get();
        controlDatabase = postgres.createDatabase("example_ops_");
        environment = new HashMap<>(ExampleTesting.environment(postgres, controlDatabase, ExampleTesting.newKey(),
                ExampleTesting.newToken()));
    }

    @AfterEach
    void tearDown() throws Exception {
        ExampleTesting.dropAll(postgres, controlDatabase);
    }

    @Test
    void reconcileReportsAnOrphanInADryRunAndDropsItOtherwise() throws Exception {
        assertThat(run("reconcile")).as(err.toString()).isZero();
        UUID orphan = UUID.randomUUID();
        String name = "car_" + orphan.toString().replace('-', '_');
        UUID controlPlane = new JdbcTenantStore(postgres.dataSource(controlDatabase)).controlPlaneId();
        PostgresDatabaseCreator.builder(postgres.adminDataSource(), controlPlane).build().create(orphan, name, name);

        assertThat(run("reconcile", "--dry-run")).isZero();
        assertThat(out.toString()).contains("reconcile (dry run)").contains(name);
        assertThat(ExampleTesting.tenantDatabases(postgres)).contains(name);

        assertThat(run("reconcile")).isZero();
        assertThat(ExampleTesting.tenantDatabases(postgres)).doesNotContain(name);
    }

    @Test
    void rekeyMovesEverySecretToTheNewPrimaryKey() throws Exception {
        String oldKey = environment.get("ENCRYPTION_KEY");
        List<Tenant> tenants = new ArrayList<>();
        try (Backends backends = Backends.open(Configuration.from(environment))) {
            for (int i = 0; i < 3; i++) {
                tenants.add(backends.application().provisioner()
                        .provision(new TenantRequest("Keyed " + i, Environment.PRODUCTION)));
            }
        }
        String newKey = ExampleTesting.newKey();
        environment.put("ENCRYPTION_KEY", newKey);
        environment.put("ENCRYPTION_KEYS_PREVIOUS", oldKey);

        assertThat(run("rekey", "--batch-size", "2")).as(err.toString()).isZero();

        assertThat(out.toString()).contains("rekey: 3 re-encrypted");
        TenantConnections newKeyOnly = new TenantConnections(new JdbcTenantStore(postgres.dataSource(controlDatabase)),
                new AesGcmCipherService(EncryptionKey.fromBase64(newKey)));
        JdbcConnectionVerifier verifier = new JdbcConnectionVerifier(TenantConnector.withDefaults());
        for (Tenant tenant : tenants) {
            assertThat(verifier.verify(newKeyOnly.details(tenant.id()))).startsWith("PostgreSQL");
        }
    }

    @Test
    void reconcileExitsOneAndNamesActiveTenantsWhoseDatabaseOrRoleIsGoneWhichStayActive() throws Exception {
        Tenant noDatabase;
        Tenant noRole;
        try (Backends backends = Backends.open(Configuration.from(environment))) {
            noDatabase = backends.application().provisioner()
                    .provision(new TenantRequest("Lost database", Environment.PRODUCTION));
            noRole = backends.application().provisioner()
                    .provision(new TenantRequest("Lost role", Environment.STAGING));
        }
        try (Connection admin = postgres.adminDataSource().getConnection();
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE \"" + noDatabase.databaseName() + "\" WITH (FORCE)");
            statement.execute("ALTER DATABASE \"" + noRole.databaseName() + "\" OWNER TO CURRENT_USER");
            statement.execute("DROP ROLE \"" + noRole.databaseName() + "\"");
        }

        assertThat(run("reconcile", "--dry-run")).isEqualTo(Main.EXIT_FAILURE);
        assertThat(run("reconcile")).isEqualTo(Main.EXIT_FAILURE);

        assertThat(out.toString()).contains("drift: 2 active tenant(s) whose database or role is missing",
                noDatabase.id() + " (database missing)", noRole.id() + " (role missing)", "docs/operations.md");
        try (Backends backends = Backends.open(Configuration.from(environment))) {
            assertThat(backends.application().provisioner().find(noDatabase.id())).get()
                    .extracting(Tenant::status).isEqualTo(TenantStatus.ACTIVE);
        }
        try (Connection admin = postgres.adminDataSource().getConnection();
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE \"" + noRole.databaseName() + "\" WITH (FORCE)");
        }
    }

    @Test
    void databasePrefixNamesNewTenantsAndIsWhatTheReconcilerCleansUp() throws Exception {
        environment.put("DATABASE_PREFIX", "tdbtest_");
        Tenant tenant;
        UUID controlPlane;
        try (Backends backends = Backends.open(Configuration.from(environment))) {
            tenant = backends.application().provisioner()
                    .provision(new TenantRequest("Prefixed", Environment.PRODUCTION));
            controlPlane = new JdbcTenantStore(postgres.dataSource(controlDatabase)).controlPlaneId();
        }
        assertThat(tenant.databaseName()).isEqualTo("tdbtest_" + tenant.id().toString().replace('-', '_'));
        UUID orphan = UUID.randomUUID();
        String name = "tdbtest_" + orphan.toString().replace('-', '_');
        PostgresDatabaseCreator.builder(postgres.adminDataSource(), controlPlane).build().create(orphan, name, name);

        assertThat(run("reconcile")).as(err.toString()).isZero();

        assertThat(out.toString()).contains("dropped 1 orphan database(s) [" + name + "]");
        assertThat(databases("tdbtest\\_%")).containsExactly(tenant.databaseName());
    }

    private List<String> databases(String like) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection admin = postgres.adminDataSource().getConnection();
             PreparedStatement select =
                     admin.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ?")) {
            select.setString(1, like);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    @Test
    void badArgumentsExitWithTwo() throws Exception {
        assertThat(run("reconcile", "--now")).isEqualTo(Main.EXIT_USAGE);
        assertThat(run("rekey", "--batch-size", "0")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("usage: reconcile").contains("usage: rekey");
    }

    private int run(String... args) throws InterruptedException {
        return Main.run(List.of(args), environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
