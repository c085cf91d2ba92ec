package io.tenantdb.provisioning.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Measures the three workloads at one setting, interleaved: each round runs every workload once, each time with
 * {@code concurrency} workers released together and provisioning one tenant apiece, and the order rotates every
 * round (abc, bca, cab, …), so drift of the machine (checkpoints, caches, other load) falls on all three alike.
 * What a round created is removed before the next workload runs, outside the timed span, so every workload meets
 * the same number of existing databases. Not thread-safe.
 */
final class InterleavedRunner {

    private final List<Workload> workloads;
    private final TenantCleaner cleaner;
    private final PrintStream log;

    /** @param workloads three, keyed a (the floor), b and c: the floor, provisioner and HTTP, or as the caller says */
    InterleavedRunner(List<Workload> workloads, TenantCleaner cleaner, PrintStream log) {
        if (workloads.size() != 3) {
            throw new IllegalArgumentException("expected three workloads keyed a, b and c");
        }
        this.workloads = List.copyOf(workloads);
        this.cleaner = cleaner;
        this.log = log;
    }

    /**
     * Runs {@code rounds} unrecorded rounds at concurrency 1, before any measurement, so that all three paths
     * are compiled by the JIT (a server in production is not cold; the first dozens of requests through Jetty,
     * Jackson and the HTTP client run interpreted).
     */
    void warmUp(int rounds) throws Exception {
        if (rounds > 0) {
            measure(1, 0, rounds - 1, 1);
        }
    }

    /**
     * Runs {@code warmup} unrecorded rounds and then {@code iterations} recorded ones.
     *
     * @param existing only recorded in the result: how many tenant databases exist now
     * @throws Exception when a provisioning or a clean-up fails; what was created is removed first
     */
    Comparison measure(int concurrency, int existing, int warmup, int iterations) throws Exception {
        Map<String, List<Long>> latencies = new LinkedHashMap<>();
        Map<String, Long> wall = new LinkedHashMap<>();
        for (Workload workload : workloads) {
            workload.open(concurrency);
            latencies.put(workload.key(), new ArrayList<>());
            wall.put(workload.key(), 0L);
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            for (int round = 0; round < warmup + iterations; round++) {
                for (int k = 0; k < workloads.size(); k++) {
                    Workload workload = workloads.get((round + k) % workloads.size());
                    Round result = runRound(pool, workload, concurrency);
                    if (round >= warmup) {
                        latencies.get(workload.key()).addAll(result.latencies());
                        wall.merge(workload.key(), result.wallNanos(), Long::sum);
                    }
                }
                if (round + 1 == warmup || (round + 1 - warmup) % 5 == 0 && round >= warmup) {
                    log.printf("  concurrency %d, %d existing: %s round %d of %d%n", concurrency, existing,
                            round < warmup ? "warm-up" : "measured", round + 1 - (round < warmup ? 0 : warmup),
                            round < warmup ? warmup : iterations);
                }
            }
        } finally {
            pool.shutdownNow();
            for (Workload workload : workloads) {
                workload.close();
            }
        }
        return new Comparison(concurrency, existing,
                LatencySummary.of(latencies.get("a"), wall.get("a")),
                LatencySummary.of(latencies.get("b"), wall.get("b")),
                LatencySummary.of(latencies.get("c"), wall.get("c")));
    }

    private Round runRound(ExecutorService pool, Workload workload, int concurrency) throws Exception {
        workload.beforeRound(concurrency);
        Burst.Result burst = Burst.run(pool, concurrency, workload::provision);
        cleaner.remove(burst.created());
        if (!burst.failures().isEmpty()) {
            throw new Exception("workload " + workload.key() + " failed", burst.failures().get(0));
        }
        return new Round(burst.latencies(), burst.wallNanos());
    }


    private record Round(List<Long> latencies, long wallNanos) {
    }
}
