package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantSchemas;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.ProvisioningListener;
import io.tenantdb.provisioning.spi.SchemaVersionStore;

import javax.sql.DataSource;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Provisioning on PostgreSQL, assembled: the control plane in the admin database (schema applied at build), the
 * admin connection's own server registered as {@code default}, the server registry and its directory, a
 * {@link TenantProvisioner} placing across the registered servers with idempotency keys, the default server's warm
 * pool (started), the reconciler, and the scheduled maintenance. This is the short way to embed the library;
 * {@link TenantProvisioner#builder()} stays for a host that plugs in components of its own.
 *
 * <pre>{@code
 * try (PostgresProvisioning provisioning = PostgresProvisioning.builder(admin, cipher)
 *         .tenantEndpoint("db.internal", 5432).build()) {
 *     provisioning.startMaintenance(Duration.ofMinutes(5));
 *     Tenant tenant = provisioning.provisioner().provision(new TenantRequest("Acme", Environment.PRODUCTION));
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the maintenance and the warm pool and releases the control-plane liveness
 * signal; the admin {@link DataSource} stays the host's to close, after this.
 */
public final class PostgresProvisioning implements AutoCloseable {

    private static final Logger LOG = System.getLogger(PostgresProvisioning.class.getName());

    private final JdbcTenantStore store;
    private final JdbcIdempotencyStore idempotencyKeys;
    private final UUID controlPlaneId;
    private final PostgresDatabaseCreator creator;
    private final PostgresWarmPool warmPool;
    private final TenantProvisioner provisioner;
    private final RegistryReconciler reconciler;
    private final ServerRegistry servers;
    private final TenantConnections connections;
    private final TenantConnector connector;
    private final String databasePrefix;
    private ScheduledExecutorService maintenance;
    private boolean closed;

    private PostgresProvisioning(Builder builder, JdbcTenantStore store) throws SQLException {
        this.store = store;
        this.connector = builder.connector;
        this.databasePrefix = builder.databasePrefix;
        this.controlPlaneId = store.controlPlaneId();
        this.idempotencyKeys = new JdbcIdempotencyStore(builder.admin, builder.lease, builder.idempotencyRetention);
        JdbcServerStore serverStore = new JdbcServerStore(builder.admin);
        serverStore.registerDefault(builder.tenantHost, builder.tenantPort);
        // Every server's creator gets the same settings; the default one issues its DDL on the admin connections.
        PostgresServerDirectory directory = PostgresServerDirectory.builder(serverStore, builder.cipher, connector,
                builder.admin, controlPlaneId).creatorSettings(builder.creatorSettings).build();
        this.creator = directory.creatorFor(DatabaseServer.DEFAULT);
        JdbcConnectionVerifier verifier = new JdbcConnectionVerifier(connector);
        Optional<DatabaseInitializer> initializer = Optional.ofNullable(builder.initializer)
                .map(factory -> Objects.requireNonNull(factory.create(connector, store), "initializer"));
        PostgresWarmPool.Builder pool = PostgresWarmPool.builder(store, creator, verifier)
                .databasePrefix(databasePrefix).targetSize(builder.warmPoolSize);
        initializer.ifPresent(pool::initializer);
        // At size 0 the pool is off, and drops the entries a larger size left.
        this.warmPool = pool.build();
        TenantProvisioner.Builder provisioning = builder.provisioner
                .servers(serverStore, directory)
                .connectionVerifier(verifier)
                .cipherService(builder.cipher)
                .tenantStore(store)
                .idempotencyStore(idempotencyKeys)
                .warmPool(warmPool);
        initializer.ifPresent(provisioning::databaseInitializer);
        this.provisioner = provisioning.build();
        this.reconciler = new RegistryReconciler(store, serverStore, directory, databasePrefix);
        this.servers = new ServerRegistry(serverStore, directory, builder.cipher);
        this.connections = new TenantConnections(store, builder.cipher);
        warmPool.start();
    }

    /**
     * Starts a builder.
     *
     * @param admin  connections as a role with {@code CREATEDB} and {@code CREATEROLE}, to the database that holds
     *               (or will hold) the {@code control_plane} schema; the {@code default} server's DDL runs on them
     * @param cipher seals and opens the tenants' connection strings and the servers' admin URLs
     * @throws NullPointerException when an argument is null
     */
    public static Builder builder(DataSource admin, CipherService cipher) {
        return new Builder(admin, cipher);
    }

    /** The provisioner: provision (also with an idempotency key), find, list, deprovision, rotate. */
    public TenantProvisioner provisioner() {
        return provisioner;
    }

    /** The control plane's tenants and recorded schema versions, e.g. for a fleet migrator or status gauges. */
    public JdbcTenantStore store() {
        return store;
    }

    /** The id every database and role of this control plane is marked with ({@link OwnershipMark}). */
    public UUID controlPlaneId() {
        return controlPlaneId;
    }

    /** The PostgreSQL servers tenants are placed on: list, register, change, re-key. */
    public ServerRegistry servers() {
        return servers;
    }

    /** Decrypted tenant connections and re-keying of the stored secrets. */
    public TenantConnections connections() {
        return connections;
    }

    /** The connector the verifier and the initializer open tenant connections with. */
    public TenantConnector connector() {
        return connector;
    }

    /** The default server's warm pool; at size 0 it is off. */
    public PostgresWarmPool warmPool() {
        return warmPool;
    }

    /** Creates and drops tenant databases on the default server, marked with this control plane's id. */
    public PostgresDatabaseCreator creator() {
        return creator;
    }

    /** The prefix of this control plane's tenant databases and roles. */
    public String databasePrefix() {
        return databasePrefix;
    }

    /**
     * The tenants' recorded schema versions, measured against {@code targetVersion}: the latest version of the host's
     * migrations, asked on every summary (empty when it has none).
     *
     * @throws NullPointerException when {@code targetVersion} is null
     */
    public TenantSchemas schemas(Supplier<Optional<String>> targetVersion) {
        return new TenantSchemas(store, targetVersion);
    }

    /**
     * Runs one reconciler pass per registered server and, outside a dry run, purges expired idempotency keys. The
     * reconciler logs its own summary, and drift at WARNING.
     *
     * @param dryRun when true, reports what would be done and changes nothing
     * @throws SQLException when the control plane fails
     */
    public RegistryReconciler.Result reconcile(boolean dryRun) throws SQLException {
        RegistryReconciler.Result report = reconciler.reconcile(dryRun);
        if (!dryRun) {
            idempotencyKeys.purgeExpired();
        }
        return report;
    }

    /**
     * Starts the maintenance: one {@link #reconcile reconcile(false)} now, on the calling thread, then one every
     * {@code interval} on a daemon thread (zero: only now), so that a crash of this or another instance never leaves
     * a half-made tenant behind for long. A failing pass is logged and retried at the next. Does nothing when the
     * maintenance runs already; stopped by {@link #close()}.
     *
     * @throws IllegalArgumentException when {@code interval} is negative
     * @throws IllegalStateException    when closed
     */
    public synchronized void startMaintenance(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("maintenance interval must not be negative");
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (maintenance != null) {
            return;
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(PostgresWarmPool.daemons("tenantdb-reconciler"));
        maintenancePass();
        if (!interval.isZero()) {
            maintenance.scheduleWithFixedDelay(this::maintenancePass, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void maintenancePass() {
        try {
            reconcile(false);
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "reconcile failed, retrying next interval: {0}", LogSafe.describe(e));
        }
    }

    /**
     * Stops the maintenance (waiting up to 10 s for a running pass) and the warm pool (up to 30 s for entries being
     * made), then releases this instance's liveness signal. Idempotent. Call it after requests have drained.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (maintenance != null) {
                maintenance.shutdownNow();
                maintenance.awaitTermination(10, TimeUnit.SECONDS);
            }
            warmPool.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }

    /**
     * Makes the initializer from the assembly's own parts, e.g.
     * {@code (connector, versions) -> new FlywayInitializer(migrations, connector, versions)}.
     */
    @FunctionalInterface
    public interface InitializerFactory {

        /**
         * @param connector opens connections as the tenant
         * @param versions  records the schema version each tenant reached
         */
        DatabaseInitializer create(TenantConnector connector, SchemaVersionStore versions);
    }

    /**
     * Configures a {@link PostgresProvisioning}. Not thread-safe; {@link #build()} copies its state, so later changes
     * do not affect what was built.
     */
    public static final class Builder {
        private final DataSource admin;
        private final CipherService cipher;
        private final TenantProvisioner.Builder provisioner = TenantProvisioner.builder();
        private String tenantHost;
        private int tenantPort;
        private Duration lease = JdbcTenantStore.DEFAULT_LEASE;
        private Duration idempotencyRetention = JdbcIdempotencyStore.DEFAULT_RETENTION;
        private TenantConnector connector = TenantConnector.withDefaults();
        private Consumer<PostgresDatabaseCreator.Builder> creatorSettings = creator -> { };
        private String databasePrefix = TenantProvisioner.Builder.DEFAULT_DATABASE_PREFIX;
        private int warmPoolSize;
        private InitializerFactory initializer;

        private Builder(DataSource admin, CipherService cipher) {
            this.admin = Objects.requireNonNull(admin, "admin");
            this.cipher = Objects.requireNonNull(cipher, "cipher");
        }

        /**
         * Required: where tenants reach the admin connection's server, written into their connection strings and
         * registered as the {@code default} server's endpoint. May differ from the admin's route (a proxy).
         *
         * @throws IllegalArgumentException when the host is blank or the port is outside 1–65535
         */
        public Builder tenantEndpoint(String host, int port) {
            PostgresDatabaseCreator.Builder.requireEndpoint(host, port);
            this.tenantHost = host;
            this.tenantPort = port;
            return this;
        }

        /**
         * How long a provisioning step, and an unfinished idempotency key, may go on before a reconciler or a retry
         * may take it over (default {@link JdbcTenantStore#DEFAULT_LEASE}); longer than the slowest step can take.
         *
         * @throws IllegalArgumentException when under one second
         */
        public Builder lease(Duration lease) {
            this.lease = atLeastOneSecond(lease, "lease");
            return this;
        }

        /**
         * How long a completed idempotency key replays its tenant (default
         * {@link JdbcIdempotencyStore#DEFAULT_RETENTION}); {@link #reconcile} purges older ones.
         *
         * @throws IllegalArgumentException when under one second
         */
        public Builder idempotencyRetention(Duration retention) {
            this.idempotencyRetention = atLeastOneSecond(retention, "retention");
            return this;
        }

        /**
         * Opens tenant connections (verification, initialization) and registered servers' admin connections
         * (default {@link TenantConnector#withDefaults()}); give one over the driver instance inside a servlet
         * container, and with the CA file of {@link TenantConnector#withSslRootCert} for verified TLS.
         */
        public Builder tenantConnector(TenantConnector connector) {
            this.connector = Objects.requireNonNull(connector, "connector");
            return this;
        }

        /**
         * Settings every server's creator gets besides its tenant endpoint, e.g.
         * {@code c -> c.connectionLimit(20).tenantSslMode(SslMode.REQUIRE)}; applied at {@link #build()}.
         */
        public Builder creatorSettings(Consumer<PostgresDatabaseCreator.Builder> settings) {
            this.creatorSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The prefix of tenant database and role names (default {@code car_}).
         *
         * @throws IllegalArgumentException unless it is 1–20 characters of {@code [a-z0-9_]} starting with a letter
         */
        public Builder databasePrefix(String prefix) {
            provisioner.databasePrefix(prefix);
            this.databasePrefix = prefix;
            return this;
        }

        /**
         * How many databases the default server's warm pool keeps ready (default 0: off).
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder warmPoolSize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("warm pool size must not be negative");
            }
            this.warmPoolSize = size;
            return this;
        }

        /** Optional: prepares each new database (and each warm pool entry) before success; see the factory. */
        public Builder databaseInitializer(InitializerFactory factory) {
            this.initializer = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Optional: receives lifecycle events, for metrics and audit; each call adds one, told in that order. */
        public Builder listener(ProvisioningListener listener) {
            provisioner.listener(listener);
            return this;
        }

        /**
         * Applies the control-plane schema, registers the default server's endpoint, wires the parts and starts the
         * warm pool.
         *
         * @throws IllegalStateException when no {@link #tenantEndpoint} was given
         * @throws SQLException          when the admin database cannot be reached, or refuses the schema
         */
        public PostgresProvisioning build() throws SQLException {
            if (tenantHost == null) {
                throw new IllegalStateException("tenantEndpoint is required");
            }
            JdbcTenantStore store = new JdbcTenantStore(admin, lease, JdbcTenantStore.defaultOwner());
            try {
                int applied = store.migrate();
                LOG.log(Level.INFO, "control-plane schema ready ({0} version(s) applied now)", applied);
                return new PostgresProvisioning(this, store);
            } catch (SQLException | RuntimeException e) {
                store.close();
                throw e;
            }
        }

        private static Duration atLeastOneSecond(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.toMillis() < 1000) {
                throw new IllegalArgumentException(name + " must be at least one second");
            }
            return duration;
        }
    }
}
