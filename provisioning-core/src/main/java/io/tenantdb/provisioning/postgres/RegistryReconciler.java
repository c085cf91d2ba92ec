package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reconciles every registered server, one {@link PostgresReconciler} pass each with that server's creator, so each
 * pass touches only objects on its server that carry this control plane's mark, and rolls back or finishes only the
 * tenants recorded there. A server that does not answer is skipped and reported; the others still run. Immutable and
 * thread-safe.
 */
public final class RegistryReconciler {

    private static final Logger LOG = System.getLogger(RegistryReconciler.class.getName());

    private final JdbcTenantStore store;
    private final JdbcServerStore servers;
    private final PostgresServerDirectory directory;
    private final String prefix;

    /**
     * @param prefix the provisioner's database prefix
     * @throws IllegalArgumentException when the prefix is not a valid identifier start
     */
    public RegistryReconciler(JdbcTenantStore store, JdbcServerStore servers, PostgresServerDirectory directory,
                              String prefix) {
        this.store = Objects.requireNonNull(store, "store");
        this.servers = Objects.requireNonNull(servers, "servers");
        this.directory = Objects.requireNonNull(directory, "directory");
        Identifiers.quote(Objects.requireNonNull(prefix, "prefix"));
        this.prefix = prefix;
    }

    /**
     * Runs one pass per server, in name order.
     *
     * @param dryRun when true, report what would be done and change nothing
     * @throws SQLException when the control plane fails; passes done before stay done
     */
    public Result reconcile(boolean dryRun) throws SQLException {
        Map<String, ReconcileReport> reports = new LinkedHashMap<>();
        List<String> unreachable = new ArrayList<>();
        for (DatabaseServer server : servers.servers()) {
            String name = server.name();
            if (!directory.answers(name)) {
                unreachable.add(name);
                continue;
            }
            try {
                reports.put(name, new PostgresReconciler(store, directory.creatorFor(name), prefix, name)
                        .reconcile(dryRun));
            } catch (SQLException e) {
                // One server failing mid-pass (it went away) must not keep the others unreconciled.
                LOG.log(Level.WARNING, "reconcile of server {0} stopped: {1}", name, LogSafe.describe(e));
                unreachable.add(name);
            }
        }
        return new Result(reports, unreachable);
    }

    /**
     * What one round did.
     *
     * @param reports     each reconciled server's report, by name
     * @param unreachable servers that did not answer or failed during their pass; retried next round
     */
    public record Result(Map<String, ReconcileReport> reports, List<String> unreachable) {

        /** Copies the collections. */
        public Result {
            reports = Collections.unmodifiableMap(new LinkedHashMap<>(reports));
            unreachable = List.copyOf(unreachable);
        }

        /** True when every server was reconciled and none had anything to change or report. */
        public boolean clean() {
            return unreachable.isEmpty() && reports.values().stream().allMatch(ReconcileReport::clean);
        }

        /** The drift of every server. */
        public List<ReconcileReport.Drift> drift() {
            return reports.values().stream().flatMap(report -> report.drift().stream()).toList();
        }

        /** The failures of every server. */
        public List<ReconcileReport.Failure> failures() {
            return reports.values().stream().flatMap(report -> report.failures().stream()).toList();
        }

        /** One line per server; names, ids and SQLStates only. */
        public String summary() {
            List<String> lines = new ArrayList<>();
            reports.forEach((server, report) -> lines.add("server " + server + ": " + report.summary()));
            unreachable.forEach(server -> lines.add("server " + server + ": not reconciled, it did not answer"));
            return String.join(System.lineSeparator(), lines);
        }
    }
}
