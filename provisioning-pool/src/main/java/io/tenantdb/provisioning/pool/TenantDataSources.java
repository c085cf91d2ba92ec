package io.tenantdb.provisioning.pool;

import com.zaxxer.hikari.HikariConfig;
import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningListener;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One HikariCP pool per tenant, all under one hard budget of server connections.
 *
 * <ul>
 *   <li>Never more than {@code maxTotalConnections} server connections, however many tenants: each physical
 *       connection holds a permit from before its socket opens until the server has closed the session. When the
 *       budget is spent, a pool that needs a connection closes the idle connections of the least recently used
 *       other pool that nobody borrows from, and waits for the permit, at most the connection timeout.</li>
 *   <li>At most {@code maxConnectionsPerTenant} per pool. Pools keep no minimum of idle connections: connections are
 *       opened on demand only.</li>
 *   <li>At most {@code maxPools} pools; beyond, the least recently used unused pools are closed, and so is a pool
 *       unused for the idle timeout. A pool is closed only while nobody borrows from it.</li>
 *   <li>{@link #dataSource(UUID)} checks the tenant on first use and creates its pool once, however many threads
 *       ask at the same time.</li>
 *   <li>Rotated credentials: a login refused with 28P01 re-reads the tenant's details once and logs in again,
 *       so requests do not fail; {@link #listener()} also marks them stale on {@code CREDENTIALS_ROTATED}. A tenant
 *       found deleted, by {@code DEPROVISIONED} or by a re-read (another instance deleted it), has its pool closed
 *       and its connections ended.</li>
 * </ul>
 *
 * <p>Built by {@link #builder(TenantConnections)}; immutable configuration, thread-safe. Close it at shutdown.
 */
public final class TenantDataSources implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TenantDataSources.class.getName());

    private final TenantConnections connections;
    private final ConnectionBudget budget;
    private final int maxConnectionsPerTenant;
    private final int maxPools;
    private final Duration idleTimeout;
    private final Duration connectionTimeout;
    private final TenantConnector connector;
    private final Map<UUID, TenantPool> pools = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService closer;

    private TenantDataSources(Builder builder) {
        this.connections = builder.connections;
        this.budget = new ConnectionBudget(builder.maxTotalConnections);
        this.maxConnectionsPerTenant = Math.min(builder.maxConnectionsPerTenant, builder.maxTotalConnections);
        this.maxPools = builder.maxPools;
        this.idleTimeout = builder.idleTimeout;
        this.connectionTimeout = builder.connectionTimeout;
        this.connector = builder.connector;
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("tenantdb-pool-housekeeper"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.closer = Executors.newSingleThreadExecutor(daemon("tenantdb-pool-closer"));
        long sweep = Math.max(1_000, Math.min(idleTimeout.toMillis() / 2, 30_000));
        scheduler.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /** Returns a builder over the tenants that {@code connections} decrypts. */
    public static Builder builder(TenantConnections connections) {
        return new Builder(connections);
    }

    /**
     * Returns the tenant's data source, creating its pool on first use. Each {@code getConnection()} borrows from
     * the tenant's current pool (a new one if the last was closed as unused) and throws
     * {@link ProvisioningException} once the tenant is deleted.
     *
     * @throws ProvisioningException {@link ErrorCode#TENANT_NOT_FOUND} for an unknown tenant,
     *                               {@link ErrorCode#TENANT_NOT_ACTIVE} for one still provisioning or deleted, or
     *                               the control plane's failure
     * @throws IllegalStateException when closed
     */
    public DataSource dataSource(UUID tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        pool(tenantId);
        return new TenantDataSource(this, tenantId);
    }

    /**
     * A listener to add to the provisioner: closes a deprovisioned tenant's pool and marks rotated credentials
     * stale. Other instances' events do not reach it; they are noticed at the next failed login instead.
     */
    public ProvisioningListener listener() {
        return this::onEvent;
    }

    /** Current counts, for gauges. */
    public PoolStats stats() {
        int active = 0;
        int idle = 0;
        for (TenantPool pool : pools.values()) {
            active += pool.activeConnections();
            idle += pool.idleConnections();
        }
        return new PoolStats(pools.size(), active, idle, budget.inUse(), budget.max());
    }

    /** Closes every pool, ending its connections. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        for (UUID tenantId : pools.keySet()) {
            TenantPool pool = pools.remove(tenantId);
            if (pool != null) {
                pool.retire();
                pool.close();
            }
        }
        closer.shutdown();
    }

    Connection borrow(UUID tenantId) throws SQLException {
        while (true) {
            TenantPool pool = pool(tenantId);
            try {
                Optional<Connection> connection = pool.borrow();
                if (connection.isPresent()) {
                    return connection.get();
                }
            } catch (SQLException e) {
                Optional<ProvisioningException> gone = pool.gone();
                if (gone.isPresent()) {
                    closeDeleted(tenantId);
                    throw gone.get();
                }
                throw e;
            }
            // Retired as unused between the lookup and the borrow: the next lookup opens a new pool.
        }
    }

    private TenantPool pool(UUID tenantId) {
        if (scheduler.isShutdown()) {
            throw new IllegalStateException("closed");
        }
        TenantPool pool = pools.get(tenantId);
        if (pool != null && !pool.isRetired()) {
            return pool;
        }
        boolean[] created = {false};
        pool = pools.compute(tenantId, (id, current) -> {
            if (current != null && !current.isRetired()) {
                return current;
            }
            created[0] = true;
            return open(id);
        });
        if (created[0] && pools.size() > maxPools) {
            retireLeastRecentlyUsed(tenantId);
        }
        return pool;
    }

    private TenantPool open(UUID tenantId) {
        ConnectionDetails details = connections.details(tenantId);
        BudgetedDataSource logins = new BudgetedDataSource(details, () -> connections.details(tenantId), budget,
                () -> reclaimIdleConnection(tenantId), connectionTimeout.toNanos(), connector);
        HikariConfig config = new HikariConfig();
        config.setPoolName("tenantdb-" + tenantId);
        config.setMaximumPoolSize(maxConnectionsPerTenant);
        // No minimum: HikariCP would open connections nobody asked for, holding permits other tenants need.
        config.setMinimumIdle(0);
        // Do not connect while creating the pool (inside the map's lock): the first borrower connects.
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        // HikariCP's own floor is 10 s; beyond 10 min the pool itself closes first.
        config.setIdleTimeout(Math.max(10_000, Math.min(idleTimeout.toMillis(), 600_000)));
        config.setScheduledExecutor(scheduler);
        return new TenantPool(logins, config);
    }

    private void onEvent(ProvisioningEvent event) {
        if (event.kind() == ProvisioningEvent.Kind.DEPROVISIONED) {
            closeDeleted(event.tenantId());
        } else if (event.kind() == ProvisioningEvent.Kind.CREDENTIALS_ROTATED) {
            TenantPool pool = pools.get(event.tenantId());
            if (pool != null) {
                pool.credentialsRotated();
            }
        }
    }

    private void closeDeleted(UUID tenantId) {
        TenantPool pool = pools.remove(tenantId);
        if (pool != null) {
            pool.retire();
            closer.execute(pool::close);
        }
    }

    // Called while a pool waits for a permit: frees the idle connections of the least recently used other pool that
    // nobody borrows from (see TenantPool.evictIfUnused for why a borrowed pool is spared).
    private void reclaimIdleConnection(UUID requester) {
        pools.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(requester) && entry.getValue().idleConnections() > 0)
                .map(TenantDataSources::lastUse)
                .sorted(Comparator.comparingLong(LastUse::nanos))
                .anyMatch(use -> use.pool().evictIfUnused());
    }

    private void retireLeastRecentlyUsed(UUID keep) {
        pools.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(keep))
                .map(TenantDataSources::lastUse)
                .sorted(Comparator.comparingLong(LastUse::nanos))
                .filter(use -> use.pool().retireIfUnused())
                .limit(Math.max(0, pools.size() - maxPools))
                .forEach(use -> retired(use.tenantId(), use.pool()));
    }

    // Sorted on a snapshot of the last-use times: they change while a sort runs.
    private static LastUse lastUse(Map.Entry<UUID, TenantPool> entry) {
        return new LastUse(entry.getKey(), entry.getValue(), entry.getValue().lastUsedNanos());
    }

    private record LastUse(UUID tenantId, TenantPool pool, long nanos) {
    }

    private void sweep() {
        try {
            long idleSince = System.nanoTime() - idleTimeout.toNanos();
            pools.forEach((tenantId, pool) -> {
                if (pool.lastUsedNanos() < idleSince && pool.retireIfUnused()) {
                    retired(tenantId, pool);
                }
            });
            if (pools.size() > maxPools) {
                retireLeastRecentlyUsed(null);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "tenant pool sweep failed: {0}", e.getClass().getSimpleName());
        }
    }

    private void retired(UUID tenantId, TenantPool pool) {
        pools.remove(tenantId, pool);
        closer.execute(pool::close);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Configures {@link TenantDataSources}. Not thread-safe; {@link #build()} copies the settings.
     */
    public static final class Builder {

        private final TenantConnections connections;
        private int maxTotalConnections = 20;
        private int maxConnectionsPerTenant = 5;
        private int maxPools = 100;
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration connectionTimeout = Duration.ofSeconds(30);
        private TenantConnector connector = new TenantConnector(new org.postgresql.Driver(), Duration.ofSeconds(10),
                Duration.ofSeconds(30));

        private Builder(TenantConnections connections) {
            this.connections = Objects.requireNonNull(connections, "connections");
        }

        /**
         * The hard budget of server connections across all tenants (default 20).
         *
         * @throws IllegalArgumentException when under 1
         */
        public Builder maxTotalConnections(int max) {
            this.maxTotalConnections = positive(max, "maxTotalConnections");
            return this;
        }

        /**
         * The most connections of one tenant (default 5, never more than the budget).
         *
         * @throws IllegalArgumentException when under 1
         */
        public Builder maxConnectionsPerTenant(int max) {
            this.maxConnectionsPerTenant = positive(max, "maxConnectionsPerTenant");
            return this;
        }

        /**
         * The most pools kept open (default 100); beyond, the least recently used unused ones are closed.
         *
         * @throws IllegalArgumentException when under 1
         */
        public Builder maxPools(int max) {
            this.maxPools = positive(max, "maxPools");
            return this;
        }

        /**
         * How long a pool may stay unused before it is closed (default 10 minutes).
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout, "idleTimeout");
            return this;
        }

        /**
         * How long {@code getConnection()} waits for a connection, the budget's permit included (default 30 s,
         * at least 250 ms).
         *
         * @throws IllegalArgumentException when under 250 ms
         */
        public Builder connectionTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "connectionTimeout");
            if (timeout.toMillis() < 250) {
                throw new IllegalArgumentException("connectionTimeout must be at least 250 ms");
            }
            this.connectionTimeout = timeout;
            return this;
        }

        /**
         * What opens the tenants' sessions (default: pgjdbc's driver, 10 s connect and 30 s socket timeouts). Give
         * the provisioner's verifier's own connector, so that the pools trust the same CA file
         * ({@link TenantConnector#withSslRootCert}) under the tenants' {@code sslmode}; its socket timeout bounds
         * each reply from the server, so a host with longer queries gives a connector with a longer one.
         *
         * @throws NullPointerException when {@code connector} is null
         */
        public Builder connector(TenantConnector connector) {
            this.connector = Objects.requireNonNull(connector, "connector");
            return this;
        }

        /** Builds the pools' owner; no connection is opened yet. */
        public TenantDataSources build() {
            return new TenantDataSources(this);
        }

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1");
            }
            return value;
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return value;
        }
    }
}
