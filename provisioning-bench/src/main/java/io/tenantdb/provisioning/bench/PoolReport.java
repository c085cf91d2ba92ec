package io.tenantdb.provisioning.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Writes {@link PoolBenchResults} as a text table and as JSON ({@code pool-bench.json}, Jackson). */
final class PoolReport {

    private PoolReport() {
    }

    /** One line per route: latencies of the successful queries, failures, misrouted queries, peak sessions. */
    static void table(PoolBenchResults results, PrintStream out) {
        PoolBenchOptions options = results.options();
        out.println();
        out.println("tenantdb tenant-connection benchmark — " + results.target());
        out.println(results.machine());
        out.printf(Locale.ROOT, "%d tenants, %d threads, %d measured rounds of %d queries per thread and route"
                        + " (%d warm-up); max_connections %d%n", options.tenants(), options.threads(),
                options.rounds(), options.queries(), options.warmup(), results.maxConnections());
        out.println();
        out.printf(Locale.ROOT, "%-40s %7s %7s %8s %8s %8s %9s %7s %7s %8s %6s%n", "route", "ok", "failed", "p50 ms",
                "p95 ms", "p99 ms", "queries/s", "p50 x a", "p99 x a", "misroute", "peak");
        for (RouteResult route : results.routes()) {
            Optional<LatencySummary> s = route.latency();
            out.printf(Locale.ROOT, "%-40s %7d %7d %8s %8s %8s %9s %7s %7s %8d %6d%n",
                    route.key() + " " + route.description(), s.map(LatencySummary::count).orElse(0),
                    route.failed(), s.map(l -> fixed(l.p50Millis(), 2)).orElse("-"),
                    s.map(l -> fixed(l.p95Millis(), 2)).orElse("-"), s.map(l -> fixed(l.p99Millis(), 2)).orElse("-"),
                    s.map(l -> fixed(l.perSecond(), 0)).orElse("-"),
                    results.latencyRatio(route, false).map(r -> fixed(r, 2)).orElse("-"),
                    results.latencyRatio(route, true).map(r -> fixed(r, 2)).orElse("-"), route.misrouted(),
                    route.peakSessions());
        }
        out.println();
        for (RouteResult route : results.routes()) {
            if (!route.failures().isEmpty()) {
                out.println("failures of " + route.key() + " by SQLState: " + route.failures());
            }
        }
        out.printf(Locale.ROOT, "peak sessions in the tenant databases, all routes: %d (%d samples of"
                + " pg_stat_activity)%n", results.totalPeak(), results.samples());
        out.flush();
    }

    /** The whole result as one JSON object; milliseconds and ratios to four decimals, undefined ones null. */
    static void json(PoolBenchResults results, Path file) throws IOException {
        ObjectNode json = ReportWriter.JSON.createObjectNode();
        json.put("target", results.target());
        json.put("machine", results.machine());
        PoolBenchOptions options = results.options();
        json.put("tenants", options.tenants());
        json.put("threads", options.threads());
        json.put("budget", options.budget());
        json.put("rounds", options.rounds());
        json.put("warmup_rounds", options.warmup());
        json.put("queries_per_thread_per_round", options.queries());
        json.put("max_connections", results.maxConnections());
        ObjectNode routes = json.putObject("routes");
        for (RouteResult route : results.routes()) {
            ObjectNode node = routes.putObject(route.key());
            node.put("description", route.description());
            node.put("attempted", route.attempted());
            route.latency().ifPresentOrElse(l -> node.set("succeeded", ReportWriter.summary(l, "queries_per_s")),
                    () -> node.putNull("succeeded"));
            node.put("failed", route.failed());
            route.failures().forEach(node.putObject("failures_by_sqlstate")::put);
            node.put("misrouted", route.misrouted());
            node.put("peak_sessions", route.peakSessions());
            node.put("p50_over_a", results.latencyRatio(route, false).map(ReportWriter::number).orElse(null));
            node.put("p99_over_a", results.latencyRatio(route, true).map(ReportWriter::number).orElse(null));
        }
        json.put("peak_sessions_all_routes", results.totalPeak());
        json.put("samples", results.samples());
        ReportWriter.JSON.writeValue(file.toFile(), json);
    }

    private static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
