package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantCursor;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.flyway.TenantOutcome.Result;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.spi.SchemaVersionStore;
import io.tenantdb.provisioning.spi.SchemaVersionStore.TenantSchema;
import io.tenantdb.provisioning.spi.TenantStore;

import javax.sql.DataSource;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Brings every active tenant's database to the latest version of the host's migrations, each connected as the
 * tenant's own role, with bounded parallelism:
 * <ul>
 * <li>tenants the control plane already records at the target are not touched, so a rerun resumes where an
 *     interrupted or partly failed run stopped;</li>
 * <li>a tenant is migrated by one runner at a time, even across overlapping runs and processes: each holds an
 *     advisory lock in the tenant's own database, and a run that finds it taken skips the tenant;</li>
 * <li>a failing tenant does not stop the others; its failing version and error code are recorded;</li>
 * <li>a tenant that is deleted, being deleted or whose credentials are rotated meanwhile is skipped, not
 *     failed; deleted tenants are never listed;</li>
 * <li>an optional canary: the first N tenants go first, and any failure among them stops the run.</li>
 * </ul>
 * Tenants provisioned during a run are not listed by it; the {@link FlywayInitializer} brings them to the latest
 * version. Thread-safe: runs may overlap.
 */
public final class FleetMigrator {

    private static final Logger LOG = System.getLogger(FleetMigrator.class.getName());
    // An arbitrary constant naming this lock among the tenant's own advisory locks (and Flyway's).
    static final long TENANT_LOCK_KEY = 0x74656e616e74666cL;
    private static final int PAGE = TenantQuery.MAX_LIMIT;

    private final TenantStore store;
    private final SchemaVersionStore versions;
    private final TenantConnections connections;
    private final TenantConnector connector;
    private final FlywayMigrations migrations;

    /**
     * @param store       lists the active tenants
     * @param versions    the recorded versions (usually the same {@code JdbcTenantStore})
     * @param connections decrypts each tenant's credentials
     * @param connector   opens connections as a tenant
     * @param migrations  what to apply
     * @throws NullPointerException when an argument is null
     */
    public FleetMigrator(TenantStore store, SchemaVersionStore versions, TenantConnections connections,
                         TenantConnector connector, FlywayMigrations migrations) {
        this.store = Objects.requireNonNull(store, "store");
        this.versions = Objects.requireNonNull(versions, "versions");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.migrations = Objects.requireNonNull(migrations, "migrations");
    }

    /**
     * Runs once over the fleet.
     *
     * @param progress told how many tenants the run attempts, then of each as it finishes
     * @return what was found and done; an interrupted run returns what it finished, the rest not attempted, with
     *         the thread's interrupt flag set
     * @throws IllegalArgumentException when the migrations directory is missing or holds a badly named file
     * @throws ProvisioningException    when the control plane cannot be read to list the tenants
     */
    public FleetReport run(FleetRun run, FleetProgress progress) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(progress, "progress");
        Optional<String> target = migrations.latestVersion();
        if (target.isEmpty()) {
            return new FleetReport(target, 0, List.of(), 0, false);
        }
        List<UUID> todo = new ArrayList<>();
        int alreadyCurrent = listBelow(target.get(), todo);
        Consumer<TenantOutcome> oneAtATime = outcome -> {
            synchronized (progress) {
                progress.finished(outcome);
            }
        };
        synchronized (progress) {
            progress.started(todo.size());
        }
        int canary = run.dryRun() ? 0 : Math.min(run.canary(), todo.size());
        List<TenantOutcome> outcomes = new ArrayList<>(
                runAll(todo.subList(0, canary), target.get(), run, oneAtATime));
        if (canary > 0 && outcomes.stream().anyMatch(outcome -> outcome.result() == Result.FAILED)) {
            LOG.log(Level.WARNING, "canary failed: {0} tenant(s) left at their version", todo.size() - canary);
            return new FleetReport(target, alreadyCurrent, outcomes, todo.size() - outcomes.size(), true);
        }
        if (outcomes.size() == canary) {
            outcomes.addAll(runAll(todo.subList(canary, todo.size()), target.get(), run, oneAtATime));
        }
        return new FleetReport(target, alreadyCurrent, outcomes, todo.size() - outcomes.size(), false);
    }

    /** Pages through the active tenants; adds those not recorded at the target. @return how many are */
    private int listBelow(String target, List<UUID> todo) {
        int current = 0;
        Optional<TenantCursor> after = Optional.empty();
        do {
            TenantQuery query = new TenantQuery(Optional.empty(), Optional.of(TenantStatus.ACTIVE), PAGE, after);
            TenantPage page = call(() -> store.list(query), "listing tenants");
            List<UUID> ids = page.tenants().stream().map(Tenant::id).collect(Collectors.toList());
            Map<UUID, TenantSchema> recorded = call(() -> versions.schemas(ids), "reading schema versions");
            for (UUID id : ids) {
                TenantSchema schema = recorded.get(id);
                if (schema != null && schema.isAt(target)) {
                    current++;
                } else {
                    todo.add(id);
                }
            }
            after = page.nextCursor();
        } while (after.isPresent());
        return current;
    }

    private List<TenantOutcome> runAll(List<UUID> tenants, String target, FleetRun run,
                                       Consumer<TenantOutcome> progress) {
        if (tenants.isEmpty()) {
            return List.of();
        }
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(run.parallelism(), tenants.size()), task -> {
            Thread thread = new Thread(task, "tenantdb-migrate");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<TenantOutcome>> running = new ArrayList<>();
            for (UUID id : tenants) {
                running.add(workers.submit(() -> {
                    TenantOutcome outcome = migrateOne(id, target, run.dryRun());
                    progress.accept(outcome);
                    return outcome;
                }));
            }
            List<TenantOutcome> outcomes = new ArrayList<>();
            for (Future<TenantOutcome> future : running) {
                try {
                    outcomes.add(future.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return outcomes;
                } catch (ExecutionException e) {
                    // migrateOne turns every failure into an outcome; only an Error gets here.
                    throw new IllegalStateException("a migration worker died", e.getCause());
                }
            }
            return outcomes;
        } finally {
            workers.shutdownNow();
        }
    }

    private TenantOutcome migrateOne(UUID id, String target, boolean dryRun) {
        Optional<String> skip = notMigratable(id);
        if (skip.isPresent()) {
            return logged(TenantOutcome.skipped(id, skip.get()));
        }
        ConnectionDetails details;
        try {
            details = connections.details(id);
        } catch (ProvisioningException e) {
            return e.code() == ErrorCode.TENANT_NOT_FOUND ? logged(TenantOutcome.skipped(id, "deleted"))
                    : failed(id, target, e, dryRun);
        }
        DataSource dataSource = connector.dataSource(details);
        boolean reached = false;
        try (Connection lock = connector.open(details)) {
            reached = true;
            if (!tryLock(lock)) {
                return logged(TenantOutcome.skipped(id, "being migrated by another run"));
            }
            if (dryRun) {
                return logged(TenantOutcome.pending(id, migrations.pending(dataSource)));
            }
            FlywayMigrations.Applied applied = migrations.migrate(dataSource);
            if (applied.version().isPresent()) {
                versions.recordMigrated(id, applied.version().get());
            }
            return logged(TenantOutcome.migrated(id, applied.version(), applied.migrations() > 0));
        } catch (Exception e) {
            Optional<String> interfered = interference(id, details);
            if (interfered.isPresent()) {
                return logged(TenantOutcome.skipped(id, interfered.get()));
            }
            return failed(id, reached ? firstPending(dataSource).orElse(target) : target, e, dryRun);
        }
    }

    /** Why a tenant is not to be migrated now: it is no longer active. */
    private Optional<String> notMigratable(UUID id) {
        try {
            return store.find(id).map(Tenant::status).or(() -> Optional.of(TenantStatus.DELETED))
                    .filter(status -> status != TenantStatus.ACTIVE).map(TenantStatus::wireName);
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** After a failure: whether a deletion or a credential rotation caused it, rather than the migration. */
    private Optional<String> interference(UUID id, ConnectionDetails used) {
        Optional<String> status = notMigratable(id);
        if (status.isPresent()) {
            return status;
        }
        try {
            return connections.details(id).password().equals(used.password()) ? Optional.empty()
                    : Optional.of("credentials rotated during the run");
        } catch (ProvisioningException e) {
            return e.code() == ErrorCode.TENANT_NOT_FOUND ? Optional.of("deleted") : Optional.empty();
        }
    }

    private Optional<String> firstPending(DataSource dataSource) {
        try {
            return migrations.pending(dataSource).stream().findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private TenantOutcome failed(UUID id, String version, Exception failure, boolean dryRun) {
        String code = FailureCodes.of(failure);
        if (!dryRun) {
            try {
                versions.recordFailure(id, version, code);
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "tenant {0}: recording its migration failure failed: sqlstate {1}", id,
                        e.getSQLState());
            }
        }
        return logged(TenantOutcome.failed(id, version, code));
    }

    private static boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, TENANT_LOCK_KEY);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static TenantOutcome logged(TenantOutcome outcome) {
        Level level = outcome.result() == Result.FAILED ? Level.WARNING
                : outcome.result() == Result.SKIPPED ? Level.INFO : Level.DEBUG;
        LOG.log(level, "tenant {0} {1}{2}", outcome.tenantId(),
                outcome.result().name().toLowerCase(java.util.Locale.ROOT),
                outcome.reason().map(reason -> " (" + reason + ")").orElse("")
                        + outcome.failedVersion().map(version -> " at version " + version).orElse(""));
        return outcome;
    }

    private static <T> T call(StoreCall<T> call, String what) {
        try {
            return call.run();
        } catch (SQLException e) {
            throw new ProvisioningException(ErrorCode.STORE_FAILED, what + " failed", e);
        }
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws SQLException;
    }
}
