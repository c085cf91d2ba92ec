package io.tenantdb.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the tenant-connection benchmark end to end at a tiny size on its own embedded PostgreSQL, so the command
 * cannot rot: the report's shape, every query in its own tenant's database, route (a) within its budget, the files
 * written. Never a timing.
 */
class PoolBenchIT {

    @TempDir
    Path temp;

    @Test
    void aTinyRunReportsEveryRouteKeepsTheBudgetAndLandsEveryQueryInItsTenant() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path results = temp.resolve("results");

        int exit = BenchCommand.run(Map.of(), List.of("pool", "--tenants", "6", "--threads", "3", "--budget", "2",
                        "--rounds", "2", "--warmup", "0", "--queries", "10", "--out", results.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("a TenantDataSources, budget 2",
                "b DriverManager connection per query", "c HikariCP pool per tenant", "p99 x a");
        JsonNode json = new ObjectMapper().readTree(results.resolve("pool-bench.json").toFile());
        assertThat(json.get("tenants").asInt()).isEqualTo(6);
        for (String route : List.of("a", "b", "c")) {
            JsonNode measured = json.get("routes").get(route);
            assertThat(measured.get("attempted").asInt()).as(route).isEqualTo(2 * 3 * 10);
            assertThat(measured.get("succeeded").get("count").asInt()).as(route).isEqualTo(60);
            assertThat(measured.get("misrouted").asInt()).as(route).isZero();
            assertThat(measured.get("peak_sessions").asInt()).as(route).isPositive();
        }
        assertThat(json.get("routes").get("a").get("peak_sessions").asInt()).isLessThanOrEqualTo(2);
        assertThat(results.resolve("pool-latency.png")).exists();
    }
}
