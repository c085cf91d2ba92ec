package io.tenantdb.provisioning.bench;

import java.util.Map;
import java.util.Optional;

/**
 * What one route measured over the recorded rounds of {@link PoolBench}.
 *
 * @param key          a, b or c
 * @param description  what the route is
 * @param latency      percentiles and queries per second of the queries that succeeded; empty when none did
 * @param attempted    queries attempted
 * @param failures     failed queries by SQLState (e.g. {@code 53300}: too many connections)
 * @param misrouted    queries answered by another database than the tenant's own
 * @param peakSessions the most sessions of this route seen at once in {@code pg_stat_activity}
 */
record RouteResult(String key, String description, Optional<LatencySummary> latency, int attempted,
                   Map<String, Integer> failures, int misrouted, int peakSessions) {

    RouteResult {
        failures = Map.copyOf(failures);
    }

    /** Failed queries of all kinds. */
    int failed() {
        return failures.values().stream().mapToInt(Integer::intValue).sum();
    }
}
