package io.tenantdb.provisioning.bench;

import java.util.List;
import java.util.Optional;

/**
 * The result of {@link PoolBench}.
 *
 * @param target         server, version and durability settings
 * @param machine        processors, memory and Java version of the bench's machine
 * @param options        what was run
 * @param maxConnections the server's {@code max_connections}
 * @param routes         a, b and c
 * @param totalPeak      the most sessions seen at once in the tenant databases, all routes together
 * @param samples        {@code pg_stat_activity} samples taken
 */
record PoolBenchResults(String target, String machine, PoolBenchOptions options, int maxConnections,
                        List<RouteResult> routes, int totalPeak, int samples) {

    PoolBenchResults {
        routes = List.copyOf(routes);
    }

    /** The route with {@code key}. */
    RouteResult route(String key) {
        return routes.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow();
    }

    /** {@code route}'s p50 (or p99) over (a)'s; empty when either measured no successful query. */
    Optional<Double> latencyRatio(RouteResult route, boolean p99) {
        return route("a").latency().flatMap(a -> route.latency()
                .map(r -> p99 ? r.p99Millis() / a.p99Millis() : r.p50Millis() / a.p50Millis()));
    }
}
