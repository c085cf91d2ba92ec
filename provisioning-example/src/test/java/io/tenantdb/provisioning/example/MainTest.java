package io.tenantdb.provisioning.example;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
}
