package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.example.Failures;
import io.tenantdb.provisioning.postgres.PostgresWarmPool;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The warm pool benchmark, {@code java -cp provisioning-bench.jar io.tenantdb.provisioning.bench.WarmBench
 * [--concurrency 1,4,16] [--iterations N] [--jit-warmup N] [--http-warmup N] [--warmup N] [--out DIR]}: side by
 * side and interleaved as the main benchmark, (a) the plain-JDBC floor, (b) {@code POST /api/v1/tenants} with the
 * pool off (the cold path) and (c) the same POST with the pool holding one entry per worker, filled before each
 * round outside the timed span (the keeper refills during it, as in production). Then bursts of 16 concurrent POSTs
 * against a pool of 16 and against an empty pool, three times each, one burst of 32 against a pool of 16 (the
 * fall-back), and the mean time of each step of ten claims one after another. Prints the tables and writes
 * {@code warm-bench.csv} and {@code warm-latency-vs-concurrency.png} to {@code --out} (default
 * {@code bench-results}). Exit 0 when it completed, 1 when it failed, 2 for a usage error.
 */
public final class WarmBench {

    private static final int BURST = 16;
    private static final int BURST_REPETITIONS = 3;

    private WarmBench() {
    }

    /** Runs the benchmark with the process environment ({@code DATABASE_URL} selects an external server). */
    public static void main(String[] args) throws Exception {
        System.exit(run(System.getenv(), List.of(args), System.out, System.err));
    }

    static int run(Map<String, String> environment, List<String> arguments, PrintStream out, PrintStream err)
            throws Exception {
        List<String> withDefaults = new ArrayList<>(List.of("--concurrency", "1,4,16", "--existing", "0"));
        withDefaults.addAll(arguments);
        BenchOptions options;
        try {
            options = BenchOptions.parse(withDefaults);
        } catch (IllegalArgumentException e) {
            err.println("warm bench: " + e.getMessage());
            return 2;
        }
        try (BenchTarget target = BenchTarget.start(environment, options.dataDirectory());
             TenantCleaner cleaner = new TenantCleaner(target)) {
            cleaner.sweepBeforeStart(err);
            Files.createDirectories(options.out());
            PostgresWarmPool pool = target.application().warmPool();
            StringBuilder csv = new StringBuilder("setting,workload,n,p50_ms,p95_ms,p99_ms,tenants_per_second,"
                    + "p50_x_floor\n");
            out.println("warm bench on " + target.describe());
            HttpWorkload http = new HttpWorkload(target.httpPort(), target.token());
            InterleavedRunner runner = new InterleavedRunner(List.of(
                    new PoolState(new FloorWorkload(target), "a", pool, false),
                    new PoolState(http, "b", pool, false),
                    new PoolState(new HttpWorkload(target.httpPort(), target.token()), "c", pool, true)),
                    cleaner, err);
            http.open(1);
            http.warmUpStack(options.httpWarmup());
            runner.warmUp(options.jitWarmup());
            List<Comparison> sweep = new ArrayList<>();
            for (int concurrency : options.concurrency()) {
                Comparison comparison = runner.measure(concurrency, 0, options.warmup(), options.iterations());
                sweep.add(comparison);
                sweepRows(comparison, out, csv);
            }
            ChartWriter.chart("Median POST latency vs concurrency, warm pool", "concurrent workers", sweep,
                    Comparison::concurrency, options.out().resolve("warm-latency-vs-concurrency.png"),
                    List.of("a floor (plain JDBC)", "b POST, pool off", "c POST, warm pool"));
            bursts(target, pool, cleaner, out, csv);
            claimSteps(target, pool, cleaner, out);
            pool.resize(0);
            PoolState.await(pool, 0);
            cleaner.sweep();
            Files.writeString(options.out().resolve("warm-bench.csv"), csv.toString(), StandardCharsets.UTF_8);
            out.println("wrote warm-bench.csv and warm-latency-vs-concurrency.png to "
                    + options.out().toAbsolutePath() + "; leftover objects: " + cleaner.leftovers());
            return 0;
        } catch (Exception e) {
            err.println("warm bench: failed: " + Failures.describe(e));
            return 1;
        }
    }

    private static void sweepRows(Comparison comparison, PrintStream out, StringBuilder csv) {
        String setting = "c=" + comparison.concurrency();
        String[] names = {"a floor", "b cold POST", "c warm POST"};
        LatencySummary[] summaries = {comparison.floor(), comparison.provisioner(), comparison.http()};
        for (int i = 0; i < 3; i++) {
            LatencySummary s = summaries[i];
            double ratio = s.p50Millis() / comparison.floor().p50Millis();
            out.printf(Locale.ROOT, "%-6s %-12s n=%-4d p50 %7.1f p95 %7.1f p99 %7.1f ms  %7.2f/s  p50 x a %.3f%n",
                    i == 0 ? setting : "", names[i], s.count(), s.p50Millis(), s.p95Millis(), s.p99Millis(),
                    s.perSecond(), ratio);
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.2f,%.2f,%.2f,%.2f,%.3f%n", setting, names[i],
                    s.count(), s.p50Millis(), s.p95Millis(), s.p99Millis(), s.perSecond(), ratio));
        }
    }

    /** Bursts of {@value #BURST} POSTs against a full and an empty pool, alternating, then one of twice that. */
    private static void bursts(BenchTarget target, PostgresWarmPool pool, TenantCleaner cleaner, PrintStream out,
                               StringBuilder csv) throws Exception {
        URI endpoint = URI.create("http://127.0.0.1:" + target.httpPort() + "/api/v1/tenants");
        double warm = 0;
        double cold = 0;
        for (int repetition = 0; repetition < BURST_REPETITIONS; repetition++) {
            warm += burst("burst warm", BURST, BURST, endpoint, target, pool, cleaner, out, csv);
            cold += burst("burst cold", BURST, 0, endpoint, target, pool, cleaner, out, csv);
        }
        out.printf(Locale.ROOT, "burst of %d: warm %.2f/s, cold %.2f/s, ratio %.2f (mean of %d each)%n", BURST,
                warm / BURST_REPETITIONS, cold / BURST_REPETITIONS, warm / cold, BURST_REPETITIONS);
        burst("burst fall-back", 2 * BURST, BURST, endpoint, target, pool, cleaner, out, csv);
    }

    /**
     * Releases {@code count} POSTs together against a pool holding {@code entries}; every answer must be 201.
     *
     * @return tenants per second over the burst's wall time
     */
    private static double burst(String label, int count, int entries, URI endpoint, BenchTarget target,
                                PostgresWarmPool pool, TenantCleaner cleaner, PrintStream out, StringBuilder csv)
            throws Exception {
        pool.resize(entries);
        PoolState.await(pool, entries);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService workers = Executors.newFixedThreadPool(count);
        Burst.Result burst;
        try {
            burst = Burst.run(workers, count, index -> HttpWorkload.post(client, endpoint, target.token(),
                    Workload.TENANT_NAME_PREFIX + "burst-" + UUID.randomUUID()));
        } finally {
            workers.shutdownNow();
            pool.resize(0);
        }
        cleaner.remove(burst.created());
        List<Long> latencies = burst.latencies();
        long wall = burst.wallNanos();
        int failed = burst.failures().size();
        List<Provisioned> created = burst.created();
        LatencySummary summary = LatencySummary.of(latencies, wall);
        List<Long> sorted = latencies.stream().sorted().toList();
        String split = count > entries && entries > 0 && sorted.size() == count
                ? String.format(Locale.ROOT, ", fastest %d p50 %.1f ms, slowest %d p50 %.1f ms", entries,
                        sorted.get(entries / 2) / 1e6, count - entries, sorted.get(entries + (count - entries) / 2)
                                / 1e6) : "";
        out.printf(Locale.ROOT, "%-16s %2d POSTs, pool %2d: %d x 201, %d failed, wall %.0f ms, %.2f/s, p50 %.1f ms%s%n",
                label, count, entries, created.size(), failed, wall / 1e6, summary.perSecond(), summary.p50Millis(),
                split);
        csv.append(String.format(Locale.ROOT, "%s pool %d,%d POSTs,%d,%.2f,%.2f,%.2f,%.2f,%n", label, entries,
                count, summary.count(), summary.p50Millis(), summary.p95Millis(), summary.p99Millis(),
                summary.perSecond()));
        if (failed > 0) {
            throw new IllegalStateException(label + ": " + failed + " POSTs did not answer 201");
        }
        return summary.perSecond();
    }

    /** The mean time of each step of ten claims one after another, from the application's step timers. */
    private static void claimSteps(BenchTarget target, PostgresWarmPool pool, TenantCleaner cleaner,
                                   PrintStream out) throws Exception {
        int claims = 10;
        pool.resize(claims);
        PoolState.await(pool, claims);
        StepSpans before = StepSpans.snapshot(target.application().metrics());
        HttpWorkload http = new HttpWorkload(target.httpPort(), target.token());
        http.open(1);
        List<Provisioned> created = new ArrayList<>();
        try {
            for (int i = 0; i < claims; i++) {
                created.add(http.provision(0));
            }
        } finally {
            http.close();
            pool.resize(0);
            cleaner.remove(created);
        }
        StringBuilder line = new StringBuilder("claim steps, mean ms over " + claims + " warm POSTs:");
        StepSpans.snapshot(target.application().metrics()).meanMillisSince(before, StepSpans.WARM)
                .forEach((step, millis) -> line.append(String.format(Locale.ROOT, " %s %.2f", step, millis)));
        out.println(line);
    }

    /**
     * A workload whose rounds run against a pool filled with one entry per worker ({@code filled}) or switched off
     * and empty, brought there before the timed span.
     */
    private record PoolState(Workload workload, String key, PostgresWarmPool pool, boolean filled)
            implements Workload {

        @Override
        public String description() {
            return workload.description() + (filled ? ", warm pool" : ", pool off");
        }

        @Override
        public void beforeRound(int concurrency) throws Exception {
            pool.resize(filled ? concurrency : 0);
            await(pool, filled ? concurrency : 0);
        }

        /** Waits until the pool holds exactly {@code ready} entries and makes none, or a minute passed. */
        static void await(PostgresWarmPool pool, int ready) throws Exception {
            for (int i = 0; i < 1200; i++) {
                WarmPoolStatus status = pool.status();
                if (status.ready() == ready && status.making() == 0 && status.stale() == 0) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("the warm pool did not reach " + ready + " ready entries in a minute");
        }

        @Override
        public void open(int workers) throws Exception {
            workload.open(workers);
        }

        @Override
        public Provisioned provision(int worker) throws Exception {
            return workload.provision(worker);
        }

        @Override
        public void close() throws Exception {
            workload.close();
        }
    }
}
