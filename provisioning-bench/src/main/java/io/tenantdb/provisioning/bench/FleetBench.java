package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.example.Failures;
import io.tenantdb.provisioning.example.ProvisioningApplication;
import io.tenantdb.provisioning.flyway.FleetMigrator;
import io.tenantdb.provisioning.flyway.FleetReport;
import io.tenantdb.provisioning.flyway.FleetRun;
import io.tenantdb.provisioning.flyway.FlywayMigrations;
import org.flywaydb.core.Flyway;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The fleet-migration benchmark, {@code java -cp provisioning-bench.jar io.tenantdb.provisioning.bench.FleetBench
 * [--tenants N]}: provisions N tenants (default 500) through the example's wiring, then, side by side, brings every
 * one of them from V1 to V3 of a small migration set by the naive loop (one {@code Flyway.configure()…migrate()} per
 * tenant, one after another) and by the {@code FleetMigrator} at parallelism 1, 2, 4 and 8, each in a Flyway schema
 * of its own (brought to V1 first, untimed). Prints tenants/s and the ratio to the naive loop and writes
 * {@code fleet-bench.csv}; deprovisions its tenants at the end. Exit 0 when it completed, 1 when it failed, 2 for a
 * usage error.
 */
public final class FleetBench {

    private static final int[] PARALLELISM = {1, 2, 4, 8};
    private static final List<String> MIGRATIONS = List.of(
            "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);",
            "ALTER TABLE items ADD COLUMN price_cents bigint NOT NULL DEFAULT 0;",
            "CREATE INDEX items_name_idx ON items (name);");

    private FleetBench() {
    }

    /** Runs the benchmark with the process environment ({@code DATABASE_URL} selects an external server). */
    public static void main(String[] args) throws Exception {
        System.exit(run(System.getenv(), List.of(args), System.out, System.err));
    }

    static int run(Map<String, String> environment, List<String> arguments, PrintStream out, PrintStream err)
            throws Exception {
        int tenants = 500;
        if (arguments.size() == 2 && arguments.get(0).equals("--tenants") && arguments.get(1).matches("[0-9]{1,4}")
                && Integer.parseInt(arguments.get(1)) > 0) {
            tenants = Integer.parseInt(arguments.get(1));
        } else if (!arguments.isEmpty()) {
            err.println("usage: FleetBench [--tenants 1..9999]");
            return 2;
        }
        Path directory = Files.createTempDirectory("tenantdb-fleet-bench-");
        try (BenchTarget target = BenchTarget.start(environment, Optional.empty())) {
            ProvisioningApplication application = target.application();
            out.println("fleet bench: " + tenants + " tenants on " + target.describe());
            List<Tenant> fleet = provision(application, tenants);
            try {
                Map<String, Double> seconds = measure(application, target, fleet, directory, out);
                report(seconds, tenants, out, Path.of("fleet-bench.csv"));
                return 0;
            } finally {
                for (Tenant tenant : fleet) {
                    application.provisioner().deprovision(tenant.id());
                }
            }
        } catch (Exception e) {
            err.println("fleet bench: failed: " + Failures.describe(e));
            return 1;
        }
    }

    private static Map<String, Double> measure(ProvisioningApplication application, BenchTarget target,
                                               List<Tenant> fleet, Path directory, PrintStream out) throws Exception {
        Map<String, Double> seconds = new LinkedHashMap<>();
        List<String> trials = new ArrayList<>(List.of("naive"));
        for (int parallelism : PARALLELISM) {
            trials.add("migrator p" + parallelism);
        }
        for (int k = 0; k < trials.size(); k++) {
            String trial = trials.get(k);
            String schema = "fleet_bench_" + trial.replaceAll("[^a-z0-9]", "_");
            // Versions of their own per trial (V11-V13, V21-V23, ...): the control plane's record of one trial
            // never makes the migrator take another's tenants for current.
            Path v1 = migrations(directory.resolve(trial.replace(' ', '_') + "_v1"), 10 * (k + 1), 1);
            Path v3 = migrations(directory.resolve(trial.replace(' ', '_') + "_v3"), 10 * (k + 1), 3);
            migrator(application, v1, schema).run(new FleetRun(4, 0, false), outcome -> { });
            long started = System.nanoTime();
            if (trial.equals("naive")) {
                for (Tenant tenant : fleet) {
                    ConnectionDetails details = application.connections().details(tenant.id());
                    Flyway.configure()
                            .dataSource(target.tenantJdbcUrl(details.database()), details.user(), details.password())
                            .schemas(schema)
                            .locations("filesystem:" + v3.toAbsolutePath())
                            .load()
                            .migrate();
                }
            } else {
                int parallelism = Integer.parseInt(trial.substring("migrator p".length()));
                FleetReport report = migrator(application, v3, schema)
                        .run(new FleetRun(parallelism, 0, false), outcome -> { });
                if (!report.allCurrent()) {
                    throw new IllegalStateException(trial + " left tenants behind: " + report.summary());
                }
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            seconds.put(trial, elapsed);
            out.printf(Locale.ROOT, "%-14s %8.1f s%n", trial, elapsed);
        }
        return seconds;
    }

    /** A directory with the first {@code count} migrations, numbered from {@code base + 1}. */
    private static Path migrations(Path directory, int base, int count) throws Exception {
        Files.createDirectories(directory);
        for (int i = 0; i < count; i++) {
            Files.writeString(directory.resolve("V" + (base + i + 1) + "__step" + (i + 1) + ".sql"), MIGRATIONS.get(i),
                    StandardCharsets.UTF_8);
        }
        return directory;
    }

    private static FleetMigrator migrator(ProvisioningApplication application, Path directory, String schema) {
        return application.fleetMigrator(FlywayMigrations.fromDirectory(directory, c -> c.schemas(schema)));
    }

    private static void report(Map<String, Double> seconds, int tenants, PrintStream out, Path csv)
            throws Exception {
        double naive = tenants / seconds.get("naive");
        StringBuilder lines = new StringBuilder("trial,seconds,tenants_per_second,ratio_to_naive\n");
        out.printf(Locale.ROOT, "%-14s %10s %12s %8s%n", "trial", "seconds", "tenants/s", "x naive");
        for (Map.Entry<String, Double> trial : seconds.entrySet()) {
            double rate = tenants / trial.getValue();
            out.printf(Locale.ROOT, "%-14s %10.1f %12.1f %8.2f%n", trial.getKey(), trial.getValue(), rate,
                    rate / naive);
            lines.append(String.format(Locale.ROOT, "%s,%.2f,%.2f,%.2f%n", trial.getKey(), trial.getValue(), rate,
                    rate / naive));
        }
        Files.writeString(csv, lines.toString(), StandardCharsets.UTF_8);
        out.println("wrote " + csv.toAbsolutePath());
    }

    private static List<Tenant> provision(ProvisioningApplication application, int count) throws Exception {
        return Parallel.run(count, 4, i -> () -> application.provisioner()
                .provision(new TenantRequest("fleet bench " + i + " " + System.nanoTime(), Environment.DEVELOPMENT)));
    }
}
