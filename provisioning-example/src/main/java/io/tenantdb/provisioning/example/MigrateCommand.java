package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.flyway.FleetMigrator;
import io.tenantdb.provisioning.flyway.FleetProgress;
import io.tenantdb.provisioning.flyway.FleetReport;
import io.tenantdb.provisioning.flyway.FleetRun;
import io.tenantdb.provisioning.flyway.TenantOutcome;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code migrate [--parallelism N] [--canary N] [--dry-run]}: brings every active tenant to the latest version of
 * {@code TENANT_MIGRATIONS}. Prints a progress bar on a terminal, else one line per tenant, then one summary line and
 * each failed tenant with its failing version. Exit 0 when every tenant is at the latest version (dry run: when
 * nothing failed); 1 otherwise; 2 for a usage or configuration error.
 */
final class MigrateCommand {

    static final String USAGE = "usage: migrate [--parallelism 1..64] [--canary N] [--dry-run]";
    private static final int DEFAULT_PARALLELISM = 4;

    private MigrateCommand() {
    }

    /** Parses the options; empty when they are not valid. */
    static Optional<FleetRun> parse(List<String> arguments) {
        int parallelism = DEFAULT_PARALLELISM;
        int canary = 0;
        boolean dryRun = false;
        for (int i = 0; i < arguments.size(); i++) {
            String option = arguments.get(i);
            if (option.equals("--dry-run")) {
                dryRun = true;
            } else if ((option.equals("--parallelism") || option.equals("--canary")) && i + 1 < arguments.size()
                    && arguments.get(i + 1).matches("[0-9]{1,6}")) {
                int value = Integer.parseInt(arguments.get(++i));
                if (option.equals("--parallelism")) {
                    parallelism = value;
                } else {
                    canary = value;
                }
            } else {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(new FleetRun(parallelism, canary, dryRun));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Runs the fleet migration and prints its progress and outcome. @return the exit code */
    static int run(FleetMigrator migrator, FleetRun run, boolean terminal, PrintStream out) {
        FleetReport report = migrator.run(run, terminal ? new Bar(out) : new Lines(out));
        out.println("migrate: " + report.summary());
        for (TenantOutcome failure : report.failures()) {
            out.println("failed: tenant " + failure.tenantId() + " at version " + failure.failedVersion().orElse("?")
                    + " (" + failure.reason().orElse("?") + ")");
        }
        boolean ok = run.dryRun() ? report.failures().isEmpty() : report.allCurrent();
        return ok ? 0 : Main.EXIT_FAILURE;
    }

    private static String describe(TenantOutcome outcome) {
        String result = outcome.result().name().toLowerCase(Locale.ROOT);
        return switch (outcome.result()) {
            case MIGRATED, CURRENT -> result + outcome.version().map(v -> " at version " + v).orElse("");
            case PENDING -> "pending " + String.join(", ", outcome.pending());
            case FAILED -> "failed at version " + outcome.failedVersion().orElse("?") + " ("
                    + outcome.reason().orElse("?") + ")";
            case SKIPPED -> "skipped (" + outcome.reason().orElse("?") + ")";
        };
    }

    /** One line per tenant, for logs and pipes. */
    private static final class Lines implements FleetProgress {
        private final PrintStream out;
        private int total;
        private int done;

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void started(int tenants) {
            total = tenants;
            out.println("migrate: " + tenants + " tenant(s) to check");
        }

        @Override
        public void finished(TenantOutcome outcome) {
            done++;
            out.println("migrate: " + done + "/" + total + " tenant " + outcome.tenantId() + " " + describe(outcome));
        }
    }

    /** A bar redrawn in place, for a terminal; failures and skips still get a line of their own. */
    private static final class Bar implements FleetProgress {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private int total;
        private int done;

        Bar(PrintStream out) {
            this.out = out;
        }

        @Override
        public void started(int tenants) {
            total = tenants;
        }

        @Override
        public void finished(TenantOutcome outcome) {
            done++;
            if (outcome.result() == TenantOutcome.Result.FAILED || outcome.result() == TenantOutcome.Result.SKIPPED) {
                out.print("\r\033[K");
                out.println("tenant " + outcome.tenantId() + " " + describe(outcome));
            }
            int filled = total == 0 ? WIDTH : done * WIDTH / total;
            out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
            if (done == total) {
                out.println();
            }
            out.flush();
        }
    }
}
