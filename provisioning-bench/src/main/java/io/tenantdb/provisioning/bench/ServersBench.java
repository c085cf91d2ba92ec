package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerRegistration;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.example.Failures;
import io.tenantdb.provisioning.example.ProvisioningApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Provisioning throughput with one PostgreSQL server against two, side by side:
 * {@code java -cp provisioning-bench.jar io.tenantdb.provisioning.bench.ServersBench [--tenants N] [--rounds R]
 * [--concurrency C]}. The example's wiring on its default server (embedded, or {@code DATABASE_URL}) and a second,
 * embedded PostgreSQL registered through the server registry; rounds alternate between "one server" (the second
 * draining) and "two servers" (both active, weight 1 each), N tenants per round (default 40) from C threads (default
 * 4), R rounds of each (default 3), each round's tenants deleted after it, untimed. Prints tenants/s and p50/p95
 * per round, the medians and the ratio. Both servers share this machine's CPUs and disk, so the ratio shows what a
 * second server buys when the servers compete for the same cores. Exit 0 when it completed, 1 when it failed, 2
 * for a usage error.
 */
public final class ServersBench {

    private ServersBench() {
    }

    /** Runs the benchmark with the process environment. */
    public static void main(String[] args) throws Exception {
        System.exit(run(System.getenv(), List.of(args), System.out, System.err));
    }

    static int run(Map<String, String> environment, List<String> arguments, PrintStream out, PrintStream err) {
        int tenants = 40;
        int rounds = 3;
        int concurrency = 4;
        for (int i = 0; i < arguments.size(); i += 2) {
            String value = i + 1 < arguments.size() ? arguments.get(i + 1) : "";
            if (!value.matches("[0-9]{1,4}") || Integer.parseInt(value) < 1) {
                err.println("usage: ServersBench [--tenants N] [--rounds R] [--concurrency C]");
                return 2;
            }
            switch (arguments.get(i)) {
                case "--tenants" -> tenants = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--concurrency" -> concurrency = Integer.parseInt(value);
                default -> {
                    err.println("usage: ServersBench [--tenants N] [--rounds R] [--concurrency C]");
                    return 2;
                }
            }
        }
        try (BenchTarget target = BenchTarget.start(environment, Optional.empty());
             EmbeddedPostgres second = EmbeddedPostgres.builder().start()) {
            ProvisioningApplication application = target.application();
            String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            application.servers().register(new ServerRegistration(name, "postgresql://postgres:postgres@localhost:"
                    + second.getPort() + "/postgres", Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(1)));
            out.printf(Locale.ROOT, "servers bench: %d tenants per round, %d threads, %d rounds of each, default on"
                    + " %s, second embedded on port %d (same machine, shared CPUs)%n", tenants, concurrency, rounds,
                    target.describe(), second.getPort());
            List<Double> one = new ArrayList<>();
            List<Double> two = new ArrayList<>();
            try {
                for (int round = 0; round < 2 * rounds; round++) {
                    boolean both = round % 2 == 1;
                    application.servers().change(name, new ServerChange(Optional.of(both ? ServerState.ACTIVE
                            : ServerState.DRAINING), Optional.empty(), Optional.empty()));
                    LatencySummary summary = round(application, tenants, concurrency);
                    (both ? two : one).add(summary.perSecond());
                    out.printf(Locale.ROOT, "round %d %-11s %6.2f tenants/s  p50 %6.0f ms  p95 %6.0f ms%n",
                            round + 1, both ? "two servers" : "one server", summary.perSecond(),
                            summary.p50Millis(), summary.p95Millis());
                }
            } finally {
                // The registry keeps the server; draining it keeps later runs off a server that is gone.
                application.servers().change(name, new ServerChange(Optional.of(ServerState.DRAINING),
                        Optional.empty(), Optional.empty()));
            }
            double oneMedian = median(one);
            double twoMedian = median(two);
            out.printf(Locale.ROOT, "median: one server %.2f tenants/s, two servers %.2f tenants/s, ratio %.2f%n",
                    oneMedian, twoMedian, twoMedian / oneMedian);
            return 0;
        } catch (Exception e) {
            err.println("servers bench: failed: " + Failures.describe(e));
            return 1;
        }
    }

    /** Provisions {@code count} tenants from {@code threads} threads, then deletes them (untimed). */
    private static LatencySummary round(ProvisioningApplication application, int count, int threads)
            throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<Long> latencies = new ArrayList<>();
        List<Tenant> made = new ArrayList<>();
        long started = System.nanoTime();
        try {
            List<Future<Tenant>> tenants = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                tenants.add(executor.submit(() -> {
                    long begin = System.nanoTime();
                    Tenant tenant = application.provisioner().provision(new TenantRequest(
                            "servers-bench " + UUID.randomUUID(), Environment.DEVELOPMENT));
                    long latency = System.nanoTime() - begin;
                    synchronized (latencies) {
                        latencies.add(latency);
                    }
                    return tenant;
                }));
            }
            for (Future<Tenant> tenant : tenants) {
                made.add(tenant.get());
            }
            return LatencySummary.of(latencies, System.nanoTime() - started);
        } finally {
            executor.shutdownNow();
            for (Tenant tenant : made) {
                application.provisioner().deprovision(tenant.id());
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
