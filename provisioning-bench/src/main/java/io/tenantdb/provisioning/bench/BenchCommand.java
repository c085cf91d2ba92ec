package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.example.Failures;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark, {@code java -jar provisioning-bench.jar [options]}: measures provisioning side by side with the
 * plain-JDBC floor (see {@code docs/performance.md}), prints a table, writes {@code bench.csv}, {@code bench.json}
 * and two PNG charts into the output directory, and removes every database and role it created; its tenants stay
 * in the control plane as {@code deleted} tombstones, as after any deprovisioning. {@code pool [options]} runs the
 * tenant-connection benchmark instead ({@link PoolBench}).
 *
 * <p>Exit codes: 0 when the run completed (the verdict lines say whether the targets hold), 1 when it failed,
 * 2 for a usage error.
 */
public final class BenchCommand {

    /** Approximate disk cost of one empty tenant database, for the warning before the cost-growth runs. */
    static final int MIB_PER_DATABASE = 7;

    private BenchCommand() {
    }

    /** Runs the benchmark with the process environment and exits with its code. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(System.getenv(), List.of(args), System.out, System.err));
    }

    /**
     * Runs the benchmark.
     *
     * @param environment the process environment: {@code DATABASE_URL} selects an external server
     * @param arguments   the options
     * @return the exit code
     * @throws InterruptedException when interrupted while measuring
     */
    public static int run(Map<String, String> environment, List<String> arguments, PrintStream out, PrintStream err)
            throws InterruptedException {
        if (!arguments.isEmpty() && arguments.get(0).equals("pool")) {
            return PoolBench.run(environment, arguments.subList(1, arguments.size()), out, err);
        }
        if (arguments.contains("--help") || arguments.contains("-h")) {
            out.println(BenchOptions.USAGE);
            return 0;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(arguments);
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            err.println(BenchOptions.USAGE);
            return 2;
        }
        int maxExisting = options.existing().isEmpty() ? 0 : options.existing().get(options.existing().size() - 1);
        if (maxExisting > 0) {
            err.printf("bench: WARNING the cost-growth runs create up to %d tenant databases at about %d MB of disk"
                    + " each (~%.1f GB); all are removed at the end. Use --existing or --quick for fewer.%n",
                    maxExisting, MIB_PER_DATABASE, maxExisting * MIB_PER_DATABASE / 1024.0);
        }
        try {
            Files.createDirectories(options.out());
            BenchResults results = measure(environment, options, err);
            ReportWriter.table(results, out);
            ReportWriter.csv(results, options.out().resolve("bench.csv"));
            ReportWriter.json(results, options.out().resolve("bench.json"));
            ChartWriter.write(results, options.out());
            out.println("wrote bench.csv, bench.json and charts to " + options.out().toAbsolutePath());
            return 0;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            err.println("bench: failed: " + Failures.describe(e));
            return 1;
        }
    }

    private static BenchResults measure(Map<String, String> environment, BenchOptions options, PrintStream log)
            throws Exception {
        log.println("bench: starting the application under test");
        try (BenchTarget target = BenchTarget.start(environment, options.dataDirectory())) {
            String server = serverVersion(target);
            log.println("bench: measuring against " + target.describe() + " (" + server + ")");
            List<Comparison> sweep = new ArrayList<>();
            List<Comparison> growth = new ArrayList<>();
            Optional<MemoryCheck.Result> memory = Optional.empty();
            Map<String, Double> provisionerSteps = Map.of();
            FloorWorkload floor = new FloorWorkload(target);
            try (TenantCleaner cleaner = new TenantCleaner(target)) {
                int stale = cleaner.sweepBeforeStart(log);
                if (stale > 0) {
                    log.println("bench: removed " + stale + " objects left by an earlier interrupted run");
                }
                ExistingTenants existing = new ExistingTenants(target.application().provisioner());
                try {
                    HttpWorkload http = new HttpWorkload(target.httpPort(), target.token());
                    InterleavedRunner runner = new InterleavedRunner(List.of(floor,
                            new ProvisionerWorkload(target.application().provisioner()), http), cleaner, log);
                    log.printf("bench: JIT warm-up, %d requests through the HTTP stack and %d rounds%n",
                            options.httpWarmup(), options.jitWarmup());
                    http.open(1);
                    http.warmUpStack(options.httpWarmup());
                    runner.warmUp(options.jitWarmup());
                    StepSpans beforeSweep = StepSpans.snapshot(target.application().metrics());
                    for (int concurrency : options.concurrency()) {
                        sweep.add(runner.measure(concurrency, 0, options.warmup(), options.iterations()));
                    }
                    provisionerSteps = StepSpans.snapshot(target.application().metrics())
                            .meanMillisSince(beforeSweep, StepSpans.COLD);
                    for (int count : options.existing()) {
                        Optional<Comparison> measured = count == 0 ? sweep.stream()
                                .filter(c -> c.concurrency() == options.growthConcurrency()).findFirst()
                                : Optional.empty();
                        if (measured.isEmpty()) {
                            log.printf("bench: creating existing tenants up to %d%n", count);
                            existing.growTo(count, n -> log.printf("  %d existing tenants%n", n));
                            measured = Optional.of(runner.measure(options.growthConcurrency(), count,
                                    options.warmup(), options.iterations()));
                        }
                        growth.add(measured.get());
                    }
                } finally {
                    log.printf("bench: removing %d existing tenants%n", existing.count());
                    existing.removeAll(cleaner);
                }
                if (options.memoryCheck() > 0) {
                    log.printf("bench: memory check with %d provisions through a child serve process%n",
                            options.memoryCheck());
                    memory = Optional.of(MemoryCheck.run(target, cleaner, options.memoryCheck(),
                            options.childJvmOptions(), options.out(), log));
                }
                Map<String, Integer> atEnd = SessionCheck.sessions(target);
                // Sweeping deprovisions and lists through the application, so it runs before the application stops.
                cleaner.sweep();
                int leftovers = cleaner.leftovers();
                target.stopApplication();
                cleaner.close();
                Map<String, Integer> after = sessionsAfterClose(target);
                return new BenchResults(target.describe() + ", " + server, machine(), sweep, growth,
                        floor.meanStepMillis(), provisionerSteps, atEnd, after, leftovers, memory);
            }
        }
    }

    // A closed connection's server process leaves pg_stat_activity a moment after the socket closes; look a few
    // times before calling a session a leak.
    private static Map<String, Integer> sessionsAfterClose(BenchTarget target) throws Exception {
        Map<String, Integer> sessions = SessionCheck.sessions(target);
        for (int attempt = 0; attempt < 20 && !sessions.isEmpty(); attempt++) {
            Thread.sleep(100);
            sessions = SessionCheck.sessions(target);
        }
        return sessions;
    }

    static String serverVersion(BenchTarget target) throws SQLException {
        try (Connection connection = target.openAdmin(BenchTarget.BENCH_APPLICATION);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_setting('server_version'),"
                     + " current_setting('fsync'), current_setting('synchronous_commit'),"
                     + " current_setting('full_page_writes')")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1) + ", fsync=" + rs.getString(2) + ", synchronous_commit="
                    + rs.getString(3) + ", full_page_writes=" + rs.getString(4);
        }
    }

    static String machine() {
        long memTotalKiB = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memTotalKiB = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // Not Linux: leave the memory out.
        }
        return Runtime.getRuntime().availableProcessors() + " processors, "
                + (memTotalKiB > 0 ? Math.round(memTotalKiB / 1024.0 / 1024.0) + " GiB RAM, " : "")
                + "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
