package io.tenantdb.provisioning.flyway;


import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A fleet migration on a command line, {@code migrate [--parallelism N] [--canary N] [--dry-run]}: parses the options,
 * then prints a progress bar on a terminal, else one line per tenant, then one summary line and each failed tenant
 * with its failing version. Stateless; each run prints to its own stream.
 */
public final class FleetConsole {

    /** The options, as a usage line. */
    public static final String USAGE = "usage: migrate [--parallelism 1..64] [--canary N] [--dry-run]";
    private static final int DEFAULT_PARALLELISM = 4;

    private FleetConsole() {
    }

    /** Parses the options (parallelism 4, no canary, not a dry run unless given); empty when they are not valid. */
    public static Optional<FleetRun> parse(List<String> arguments) {
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

    /**
     * Runs the fleet migration and prints its progress and outcome.
     *
     * @param terminal true to redraw one progress bar in place, false for one line per tenant (logs, pipes)
     * @return true when every tenant is at the latest version (a dry run: when nothing failed)
     */
    public static boolean run(FleetMigrator migrator, FleetRun run, boolean terminal, PrintStream out) {
        FleetReport report = migrator.run(run, terminal ? new Bar(out) : new Lines(out));
        out.println("migrate: " + report.summary());
        for (TenantOutcome failure : report.failures()) {
            out.println("failed: tenant " + failure.tenantId() + " at version " + failure.failedVersion().orElse("?")
                    + " (" + failure.reason().orElse("?") + ")");
        }
        return run.dryRun() ? report.failures().isEmpty() : report.allCurrent();
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
