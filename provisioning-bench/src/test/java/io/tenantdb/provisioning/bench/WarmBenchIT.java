package io.tenantdb.provisioning.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the warm pool benchmark at its smallest end to end on its own embedded PostgreSQL, so the command cannot
 * rot: the interleaved rounds, the bursts against a full and an empty pool, the fall-back burst and the claim's
 * steps. It checks the report's shape, that every POST answered 201 and that nothing is left behind — never a
 * timing.
 */
class WarmBenchIT {

    @TempDir
    Path temp;

    @Test
    void theSmallestRunReportsEveryPartAndLeavesNothingBehind() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path results = temp.resolve("results");

        int exit = WarmBench.run(Map.of(), List.of("--concurrency", "1", "--iterations", "1", "--warmup", "0",
                "--jit-warmup", "1", "--http-warmup", "10", "--out", results.toString(), "--data-dir",
                temp.resolve("data").toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(report).contains("a floor", "b cold POST", "c warm POST", "16 POSTs, pool 16: 16 x 201, 0 failed",
                "16 POSTs, pool  0: 16 x 201, 0 failed", "32 POSTs, pool 16: 32 x 201, 0 failed",
                "claim steps, mean ms over 10 warm POSTs: reserve", "leftover objects: 0");
        assertThat(Files.readAllLines(results.resolve("warm-bench.csv"))).hasSizeGreaterThan(4);
        assertThat(results.resolve("warm-latency-vs-concurrency.png")).exists();
    }
}
