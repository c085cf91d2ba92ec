package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.flyway.FleetConsole;
import io.tenantdb.provisioning.flyway.FleetRun;
import io.tenantdb.provisioning.postgres.ReconcileReport;
import io.tenantdb.provisioning.postgres.RegistryReconciler;

import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line entry point: {@code java -jar provisioning-example.jar [command]}. Commands: {@code serve} (the
 * default) runs the HTTP API until SIGTERM or Ctrl-C; {@code reconcile [--dry-run]} runs one reconciler pass;
 * {@code rekey [--batch-size N]} re-encrypts every stored secret with the primary key;
 * {@code migrate [--parallelism N] [--canary N] [--dry-run]} brings every tenant to the latest
 * {@code TENANT_MIGRATIONS}; {@code help} (also {@code --help}, {@code -h} and {@code <command> --help}) prints the
 * commands and variables. Exit codes: 0 on success, also after SIGTERM or Ctrl-C has stopped {@code serve} cleanly;
 * 1 when start-up or the command fails, {@code reconcile} finds drift or {@code migrate} leaves a tenant behind; 2
 * for a usage or configuration error (one line on stderr naming the variable).
 *
 * <p>Configuration comes from the environment only, see {@link Configuration}.
 */
public final class Main {

    /** Exit code of a start-up failure. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a usage or configuration error. */
    public static final int EXIT_USAGE = 2;

    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    /** A subcommand: gets the environment and its own arguments, returns the exit code. */
    @FunctionalInterface
    interface Command {
        int run(Map<String, String> environment, List<String> arguments, PrintStream out, PrintStream err)
                throws InterruptedException;
    }

    private static final Map<String, Command> COMMANDS = commands();

    private Main() {
    }

    /** Runs a command and exits with its code. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    /**
     * Runs the command named by the first argument ({@code serve} when there is none).
     *
     * @return the exit code
     */
    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err)
            throws InterruptedException {
        Objects.requireNonNull(environment, "environment");
        String name = args.isEmpty() ? "serve" : args.get(0);
        if (HELP.contains(name)) {
            out.print(Help.text());
            return 0;
        }
        Command command = COMMANDS.get(name);
        if (command == null) {
            err.println("unknown command '" + name + "'; commands: " + String.join(", ", COMMANDS.keySet())
                    + " (see --help)");
            return EXIT_USAGE;
        }
        List<String> arguments = args.isEmpty() ? List.of() : args.subList(1, args.size());
        if (arguments.stream().anyMatch(HELP::contains)) {
            out.print(Help.command(name));
            return 0;
        }
        Configuration.misspelledVariables(environment.keySet()).forEach(warning -> err.println("warning: " + warning));
        return command.run(environment, arguments, out, err);
    }

    private static final Set<String> HELP = Set.of("help", "--help", "-h");

    private static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        commands.put("serve", Main::serve);
        commands.put("reconcile", Main::reconcile);
        commands.put("rekey", Main::rekey);
        commands.put("migrate", Main::migrate);
        return Collections.unmodifiableMap(commands);
    }

    private static int serve(Map<String, String> environment, List<String> arguments, PrintStream out,
                             PrintStream err) throws InterruptedException {
        if (!arguments.isEmpty()) {
            err.println("serve takes no arguments; it is configured by environment variables");
            return EXIT_USAGE;
        }
        Configuration configuration = configuration(environment, err);
        if (configuration == null) {
            return EXIT_USAGE;
        }
        ExampleApplication application;
        try {
            application = ExampleApplication.start(configuration);
        } catch (Exception e) {
            err.println("cannot start: " + Failures.describe(e));
            return EXIT_FAILURE;
        }
        // Other ways of ending the JVM (SIGHUP, System.exit elsewhere) still drain and close.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.log(System.Logger.Level.INFO, "shutting down: draining requests in flight");
            application.close();
        }, "tenantdb-shutdown"));
        StopSignals.install(application);
        application.printBanner(out);
        application.join();
        // Waits for a stop begun by a signal to finish closing the pool and the embedded PostgreSQL.
        application.close();
        return 0;
    }

    /** {@code reconcile [--dry-run]}: one reconciler pass against the configured database, then exit. */
    private static int reconcile(Map<String, String> environment, List<String> arguments, PrintStream out,
                                 PrintStream err) {
        if (!arguments.isEmpty() && !arguments.equals(List.of("--dry-run"))) {
            err.println("usage: reconcile [--dry-run]");
            return EXIT_USAGE;
        }
        boolean dryRun = !arguments.isEmpty();
        return withBackends(environment, err, backends -> {
            ProvisioningApplication application = backends.application();
            RegistryReconciler.Result report = application.reconcile(dryRun);
            out.println(report.summary());
            if (!report.drift().isEmpty()) {
                out.println(ReconcileReport.Drift.summary(report.drift()));
            }
            return report.drift().isEmpty() && report.failures().isEmpty() && report.unreachable().isEmpty()
                    ? 0 : EXIT_FAILURE;
        });
    }

    /** {@code rekey [--batch-size N]}: re-encrypts every stored secret with the primary ENCRYPTION_KEY. */
    private static int rekey(Map<String, String> environment, List<String> arguments, PrintStream out,
                             PrintStream err) {
        boolean given = arguments.size() == 2 && arguments.get(0).equals("--batch-size")
                && arguments.get(1).matches("\\d{1,4}");
        int size = given ? Integer.parseInt(arguments.get(1)) : 100;
        if (!given && !arguments.isEmpty() || size < 1 || size > 1000) {
            err.println("usage: rekey [--batch-size 1..1000]");
            return EXIT_USAGE;
        }
        return withBackends(environment, err, backends -> {
            ProvisioningApplication application = backends.application();
            String primary = application.cipher().primaryKey().idHex();
            var report = application.connections().rekey(primary, size);
            out.println("rekey: " + report.reencrypted() + " re-encrypted, " + report.changed()
                    + " changed meanwhile (run again), " + report.undecryptable() + " undecryptable, "
                    + application.servers().rekey(primary) + " server admin URL(s) re-sealed");
            return report.undecryptable() == 0 ? 0 : EXIT_FAILURE;
        });
    }

    /** {@code migrate [--parallelism N] [--canary N] [--dry-run]}: the fleet to the latest TENANT_MIGRATIONS. */
    private static int migrate(Map<String, String> environment, List<String> arguments, PrintStream out,
                               PrintStream err) {
        Optional<FleetRun> run = FleetConsole.parse(arguments);
        if (run.isEmpty()) {
            err.println(FleetConsole.USAGE);
            return EXIT_USAGE;
        }
        Configuration configuration = configuration(environment, err);
        if (configuration == null) {
            return EXIT_USAGE;
        }
        if (configuration.tenantMigrations().isEmpty()) {
            err.println("configuration error: " + Configuration.TENANT_MIGRATIONS
                    + " must name the directory of tenant migrations to run migrate");
            return EXIT_USAGE;
        }
        return withBackends(configuration, err, backends -> FleetConsole.run(
                backends.application().fleetMigrator().orElseThrow(), run.get(), System.console() != null, out)
                ? 0 : EXIT_FAILURE);
    }

    /** Parses the configuration, or prints the one-line error and returns null. */
    private static Configuration configuration(Map<String, String> environment, PrintStream err) {
        try {
            return Configuration.from(environment);
        } catch (Configuration.Invalid e) {
            err.println("configuration error: " + e.getMessage());
            return null;
        }
    }

    private static int withBackends(Map<String, String> environment, PrintStream err, BackendTask task) {
        Configuration configuration = configuration(environment, err);
        if (configuration == null) {
            return EXIT_USAGE;
        }
        return withBackends(configuration, err, task);
    }

    private static int withBackends(Configuration configuration, PrintStream err, BackendTask task) {
        try (Backends backends = Backends.open(configuration)) {
            return task.run(backends);
        } catch (Exception e) {
            err.println("failed: " + Failures.describe(e));
            return EXIT_FAILURE;
        }
    }

    @FunctionalInterface
    private interface BackendTask {
        int run(Backends backends) throws Exception;
    }
}
