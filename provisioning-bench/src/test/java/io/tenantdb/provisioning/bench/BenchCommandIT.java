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
 * Runs a tiny benchmark end to end on its own embedded PostgreSQL, so the command cannot rot. It checks the
 * report's shape and that everything was cleaned up — never a timing.
 */
class BenchCommandIT {

    @TempDir
    Path temp;

    @Test
    void aQuickRunPrintsTheTableWritesItsFilesAndLeavesNothingBehind() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path results = temp.resolve("results");

        int exit = BenchCommand.run(Map.of(), List.of("--concurrency", "1,2", "--iterations", "2", "--jit-warmup", "1",
                "--http-warmup", "20", "--warmup", "0", "--existing", "0,3", "--out", results.toString(), "--data-dir",
                temp.resolve("data").toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(report).contains("a floor", "b provisioner", "c http", "p50 x a", "concurrency 2, 0 ex.",
                "concurrency 1, 3 ex.", "provisioner (b and c), mean ms per step", "reserve", "verify",
                "leftover objects 0");
        assertThat(results.resolve("bench.csv")).exists();
        assertThat(Files.readAllLines(results.resolve("bench.csv"))).hasSizeGreaterThan(9);
        assertThat(results.resolve("bench.json")).exists();
        assertThat(results.resolve("latency-vs-concurrency.png")).exists();
        assertThat(results.resolve("latency-vs-existing.png")).exists();
    }
}
