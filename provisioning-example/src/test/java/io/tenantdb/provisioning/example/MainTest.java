package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(List<String> args, Map<String, String> environment) throws InterruptedException {
        return Main.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void configurationErrorExitsWithTwoAndOneLineNamingTheVariable() throws InterruptedException {
        String password = "do-not-print-me";
        int code = run(List.of(), Map.of("DATABASE_URL", "postgresql://admin:" + password + "@host/db",
                "ENCRYPTION_KEY", ExampleTesting.newKey()));

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(stderr.lines()).hasSize(1);
        assertThat(stderr).startsWith("configuration error: ADMIN_TOKEN ").doesNotContain(password);
        assertThat(out.size()).isZero();
    }

    @Test
    void explicitServeCommandValidatesTheSameWay() throws InterruptedException {
        assertThat(run(List.of("serve"), Map.of("PORT", "eighty"))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("configuration error: PORT ");
    }

    @Test
    void tenantConnectionLimitOfZeroExitsWithTwoNamingTheVariable() throws InterruptedException {
        assertThat(run(List.of(), Map.of("TENANT_CONNECTION_LIMIT", "0"))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("configuration error: TENANT_CONNECTION_LIMIT ")
                .hasLineCount(1);
    }

    @Test
    void unknownCommandExitsWithTwoListingTheCommands() throws InterruptedException {
        assertThat(run(List.of("frobnicate"), Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'frobnicate'", "serve");
    }

    @Test
    void unreachableDatabaseExitsWithOneAndNoSecret() throws InterruptedException {
        String password = "do-not-print-me-either";
        int code = run(List.of(), Map.of("DATABASE_URL", "postgresql://admin:" + password + "@127.0.0.1:1/db",
                "ENCRYPTION_KEY", ExampleTesting.newKey(), "ADMIN_TOKEN", ExampleTesting.newToken(), "PORT", "0"));

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(stderr).startsWith("cannot start: ").doesNotContain(password);
        assertThat(stderr.lines()).hasSize(1);
    }

    @Test
    void helpInEachSpellingListsEveryCommandAndEveryVariableAndExitsZero() throws InterruptedException {
        for (String help : List.of("help", "--help", "-h")) {
            out.reset();
            assertThat(run(List.of(help), Map.of())).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("serve", "reconcile [--dry-run]", "rekey [--batch-size N]", "provisioning-bench.jar")
                    .contains(Configuration.VARIABLES).contains("Exit codes");
        }
        assertThat(err.size()).isZero();
    }

    @Test
    void commandHelpShowsThatCommandsOptionsWithoutRunningIt() throws InterruptedException {
        assertThat(run(List.of("reconcile", "--help"), Map.of("PORT", "not-a-port"))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("reconcile [--dry-run]", "Exits 1 on drift")
                .doesNotContain("rekey [--batch-size N]");
        out.reset();
        assertThat(run(List.of("serve", "--help"), Map.of())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("SIGTERM or Ctrl-C", "DATABASE_URL");
        assertThat(err.size()).isZero();
    }

    @Test
    void aVariableNamedInTheWrongCaseIsWarnedAboutByNameOnly() throws InterruptedException {
        String secret = "postgresql://admin:do-not-print@host/db";
        run(List.of("serve"), Map.of("database_url", secret, "PORT", "eighty"));

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(stderr.lines().toList()).first().asString().startsWith("warning: database_url is set but ignored")
                .contains("DATABASE_URL", "embedded PostgreSQL");
        assertThat(stderr).doesNotContain("do-not-print");
    }

    @Test
    void aTakenPortFailsTheStartBeforeAnyDatabaseIsTouched() throws Exception {
        TestPostgres postgres = TestPostgres.get();
        String control = postgres.createDatabase("example_port_");
        try (ServerSocket taken = new ServerSocket(0)) {
            Map<String, String> environment = new java.util.HashMap<>(ExampleTesting.environment(postgres, control,
                    ExampleTesting.newKey(), ExampleTesting.newToken()));
            environment.put("PORT", Integer.toString(taken.getLocalPort()));

            assertThat(run(List.of(), environment)).isEqualTo(1);

            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("cannot start: ").contains("bind")
                    .hasLineCount(1);
            try (Connection connection = postgres.dataSource(control).getConnection();
                 ResultSet schema = connection.createStatement().executeQuery(
                         "SELECT count(*) FROM pg_namespace WHERE nspname = 'control_plane'")) {
                assertThat(schema.next()).isTrue();
                assertThat(schema.getInt(1)).as("control_plane schema created").isZero();
            }
        } finally {
            ExampleTesting.dropAll(postgres, control);
        }
    }
}
