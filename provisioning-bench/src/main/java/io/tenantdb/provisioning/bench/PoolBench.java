package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.example.Failures;

import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tenant-connection benchmark, {@code java -jar provisioning-bench.jar pool [options]}: provisions N tenants
 * through the application under test (public API only), then queries random tenants ({@code SELECT
 * current_database()}, checked against the tenant's own database) from T threads through three routes, interleaved:
 * (a) {@code TenantDataSources} with a budget, (b) a new {@code DriverManager} connection per query, (c) one HikariCP
 * pool per tenant. Each round runs every route once, T threads released together doing Q queries apiece, in an order
 * that rotates every round (abc, bca, cab). A sampler reads {@code pg_stat_activity} throughout. Prints a table and
 * writes {@code pool-bench.json} and {@code pool-latency.png}; deprovisions its tenants at the end. Exit 0 when the
 * run completed, 1 when it failed, 2 for a usage error.
 */
final class PoolBench {

    private PoolBench() {
    }

    static int run(Map<String, String> environment, List<String> arguments, PrintStream out, PrintStream err)
            throws InterruptedException {
        if (arguments.contains("--help") || arguments.contains("-h")) {
            out.println(PoolBenchOptions.USAGE);
            return 0;
        }
        PoolBenchOptions options;
        try {
            options = PoolBenchOptions.parse(arguments);
        } catch (IllegalArgumentException e) {
            err.println("bench pool: " + e.getMessage());
            err.println(PoolBenchOptions.USAGE);
            return 2;
        }
        try {
            Files.createDirectories(options.out());
            PoolBenchResults results = measure(environment, options, err);
            PoolReport.table(results, out);
            PoolReport.json(results, options.out().resolve("pool-bench.json"));
            ChartWriter.pool(results, options.out().resolve("pool-latency.png"));
            out.println("wrote pool-bench.json and pool-latency.png to " + options.out().toAbsolutePath());
            return 0;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            err.println("bench pool: failed: " + Failures.describe(e));
            return 1;
        }
    }

    private static PoolBenchResults measure(Map<String, String> environment, PoolBenchOptions options,
                                            PrintStream log) throws Exception {
        log.println("bench pool: starting the application under test");
        try (BenchTarget target = BenchTarget.start(environment, Optional.empty());
             TenantCleaner cleaner = new TenantCleaner(target)) {
            String server = BenchCommand.serverVersion(target);
            log.println("bench pool: measuring against " + target.describe() + " (" + server + ")");
            int stale = cleaner.sweepBeforeStart(log);
            if (stale > 0) {
                log.println("bench pool: removed " + stale + " objects left by an earlier interrupted run");
            }
            ExistingTenants existing = new ExistingTenants(target.application().provisioner());
            try {
                long started = System.nanoTime();
                existing.growTo(options.tenants(), n -> log.printf("  %d tenants%n", n));
                log.printf("bench pool: %d tenants provisioned in %.0f s%n", options.tenants(),
                        (System.nanoTime() - started) / 1e9);
                List<Provisioned> tenants = existing.tenants();
                Map<UUID, ConnectionDetails> details = new HashMap<>();
                for (Provisioned tenant : tenants) {
                    details.put(tenant.tenantId(), target.application().connections().details(tenant.tenantId()));
                }
                List<TenantRoute> routes = List.of(
                        new BudgetedRoute(target.application().connections(), options.budget()),
                        new DriverManagerRoute(details), new PoolPerTenantRoute(details));
                try (SessionSampler sampler = new SessionSampler(target,
                        tenants.stream().map(Provisioned::databaseName).toList())) {
                    List<RouteResult> measured = interleave(routes, tenants, options, sampler, log);
                    int maxConnections = maxConnections(target);
                    sampler.close();
                    return new PoolBenchResults(target.describe() + ", " + server, BenchCommand.machine(),
                            options, maxConnections, measured, sampler.totalPeak(), sampler.samples());
                } finally {
                    routes.forEach(TenantRoute::close);
                }
            } finally {
                log.printf("bench pool: deprovisioning %d tenants%n", existing.count());
                existing.removeAll(cleaner);
            }
        }
    }

    private static List<RouteResult> interleave(List<TenantRoute> routes, List<Provisioned> tenants,
                                                PoolBenchOptions options, SessionSampler sampler, PrintStream log)
            throws Exception {
        Map<String, Segment> totals = new LinkedHashMap<>();
        routes.forEach(route -> totals.put(route.key(), new Segment()));
        ExecutorService threads = Executors.newFixedThreadPool(options.threads());
        try {
            for (int round = 0; round < options.warmup() + options.rounds(); round++) {
                boolean recorded = round >= options.warmup();
                for (int k = 0; k < routes.size(); k++) {
                    TenantRoute route = routes.get((round + k) % routes.size());
                    Segment segment = recorded ? totals.get(route.key()) : new Segment();
                    try {
                        run(threads, route, tenants, options, segment);
                    } finally {
                        route.endSegment();
                    }
                }
                log.printf("  %s round %d of %d%n", recorded ? "measured" : "warm-up",
                        recorded ? round - options.warmup() + 1 : round + 1,
                        recorded ? options.rounds() : options.warmup());
            }
        } finally {
            threads.shutdownNow();
        }
        List<RouteResult> results = new ArrayList<>();
        for (TenantRoute route : routes) {
            Segment segment = totals.get(route.key());
            Optional<LatencySummary> latency = segment.latencies.isEmpty() ? Optional.empty()
                    : Optional.of(LatencySummary.of(segment.latencies, segment.wallNanos));
            results.add(new RouteResult(route.key(), route.description(), latency, segment.attempted.get(),
                    segment.failures, segment.misrouted.get(), sampler.peak(route.applicationName())));
        }
        return results;
    }

    /** One route's segment: the threads released together, each doing its queries to random tenants. */
    private static void run(ExecutorService threads, TenantRoute route, List<Provisioned> tenants,
                            PoolBenchOptions options, Segment segment) throws Exception {
        CountDownLatch ready = new CountDownLatch(options.threads());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Long>>> workers = new ArrayList<>();
        for (int t = 0; t < options.threads(); t++) {
            workers.add(threads.submit(() -> {
                List<Long> latencies = new ArrayList<>(options.queries());
                ready.countDown();
                go.await();
                for (int q = 0; q < options.queries(); q++) {
                    Provisioned tenant = tenants.get(ThreadLocalRandom.current().nextInt(tenants.size()));
                    segment.attempted.incrementAndGet();
                    long start = System.nanoTime();
                    try (Connection connection = route.connect(tenant);
                         Statement statement = connection.createStatement();
                         ResultSet rs = statement.executeQuery("SELECT current_database()")) {
                        rs.next();
                        String database = rs.getString(1);
                        latencies.add(System.nanoTime() - start);
                        if (!database.equals(tenant.databaseName())) {
                            segment.misrouted.incrementAndGet();
                        }
                    } catch (SQLException e) {
                        segment.failures.merge(e.getSQLState() == null ? "none" : e.getSQLState(), 1, Integer::sum);
                    }
                }
                return latencies;
            }));
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        List<Long> latencies = new ArrayList<>();
        for (Future<List<Long>> worker : workers) {
            latencies.addAll(worker.get());
        }
        segment.wallNanos += System.nanoTime() - start;
        segment.latencies.addAll(latencies);
    }

    private static int maxConnections(BenchTarget target) throws SQLException {
        try (Connection connection = target.openAdmin(BenchTarget.BENCH_APPLICATION);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_setting('max_connections')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** What the recorded segments of one route add up to. */
    private static final class Segment {
        final List<Long> latencies = new ArrayList<>();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();
        final AtomicInteger attempted = new AtomicInteger();
        final AtomicInteger misrouted = new AtomicInteger();
        long wallNanos;
    }
}
