package io.tenantdb.provisioning.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one run measured, for the report writers.
 *
 * @param target          what was measured, without credentials
 * @param machine         processors, memory and Java version of the bench's machine
 * @param sweep           the concurrency sweep, at 0 existing tenants
 * @param growth          the cost-growth runs, one per existing-tenant count
 * @param floorSteps      mean milliseconds per floor step over the whole run
 * @param provisionerSteps mean milliseconds per saga step, and of the whole provisioning, over the concurrency
 *                        sweep's provisionings through the provisioner ((b) and (c) alike), in saga order
 * @param sessionsAtEnd   {@code pg_stat_activity} with the application still running, after the last provisioning
 * @param sessionsAfter   {@code pg_stat_activity} after the application and the bench closed their connections
 * @param leftovers       bench objects (rows, databases, roles) still present after clean-up
 * @param memory          the resident-memory check, when run
 */
record BenchResults(String target, String machine, List<Comparison> sweep, List<Comparison> growth,
                    Map<String, Double> floorSteps, Map<String, Double> provisionerSteps,
                    Map<String, Integer> sessionsAtEnd,
                    Map<String, Integer> sessionsAfter, int leftovers, Optional<MemoryCheck.Result> memory) {

    /** Target: at concurrency 1 the HTTP p50 is at most 10% above the floor's. */
    static final double MAX_HTTP_P50_RATIO = 1.10;
    /** Target: at concurrency 4 HTTP throughput is at least 90% of the floor's. */
    static final double MIN_HTTP_THROUGHPUT_RATIO = 0.9;
    /** Target: resident memory of {@code serve} after 1,000 provisionings. */
    static final long MAX_RSS_KIB = 256 * 1024;

    BenchResults {
        sweep = List.copyOf(sweep);
        growth = List.copyOf(growth);
        floorSteps = Map.copyOf(floorSteps);
        provisionerSteps = Collections.unmodifiableMap(new LinkedHashMap<>(provisionerSteps));
        sessionsAtEnd = Map.copyOf(sessionsAtEnd);
        sessionsAfter = Map.copyOf(sessionsAfter);
    }

    /** The sweep entry at {@code concurrency}, if measured. */
    Optional<Comparison> at(int concurrency) {
        return sweep.stream().filter(c -> c.concurrency() == concurrency).findFirst();
    }

    /** One line per target: "PASS …", "FAIL …" or "n/a …" when the run did not measure it. */
    List<String> verdicts() {
        String latency = at(1).map(c -> verdict(c.httpP50Ratio() <= MAX_HTTP_P50_RATIO,
                        String.format("c/a p50 at concurrency 1 = %.3f (target <= %.2f)", c.httpP50Ratio(),
                                MAX_HTTP_P50_RATIO)))
                .orElse("n/a  c/a p50 at concurrency 1 (not in --concurrency)");
        String throughput = at(4).map(c -> verdict(c.httpThroughputRatio() >= MIN_HTTP_THROUGHPUT_RATIO,
                        String.format("c/a throughput at concurrency 4 = %.3f (target >= %.2f)",
                                c.httpThroughputRatio(), MIN_HTTP_THROUGHPUT_RATIO)))
                .orElse("n/a  c/a throughput at concurrency 4 (not in --concurrency)");
        String rss = memory.map(m -> verdict(m.rssKiB() <= MAX_RSS_KIB,
                        String.format("serve RSS after %d provisions = %d MiB (peak %d MiB; target <= 256 MiB)",
                                m.provisions(), m.rssKiB() / 1024, m.peakKiB() / 1024)))
                .orElse("n/a  resident memory (run with --memory-check 1000)");
        boolean poolsIdle = sessionsAtEnd.keySet().stream().allMatch(k -> k.endsWith("(idle)"));
        String leaks = verdict(poolsIdle && sessionsAfter.isEmpty() && leftovers == 0,
                "no leaks: sessions at end " + sessionsAtEnd + ", after close " + sessionsAfter
                        + ", leftover objects " + leftovers);
        return List.of(latency, throughput, rss, leaks);
    }

    private static String verdict(boolean pass, String text) {
        return (pass ? "PASS " : "FAIL ") + text;
    }
}
