package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.spi.ConnectionVerifier;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.WarmPool;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A warm pool on one PostgreSQL server: the databases of one {@link PostgresDatabaseCreator}, that of the registered
 * server {@link Builder#server(String)} names ({@code default} unless set), tracked in the control plane of one
 * {@link JdbcTenantStore} (table {@code warm_pool_entries}, each row recording its server). Every count, refill, drop
 * and claim of the pool concerns its own server's entries alone. Each entry is made by the same steps as a
 * tenant — {@link PostgresDatabaseCreator#create}, the verifier, the initializer — under the name
 * {@code <prefix>pool_<32 hex digits>}, which never matches the tenant pattern, and marked with this control plane's
 * id and the entry's id, so only this control plane's {@link PostgresReconciler} ever drops it. Its password is
 * thrown away: a claim sets a fresh one.
 *
 * <p>The target size is the server's, shared in the control plane by every instance (schema V11): an instance
 * writes its configured size when it starts and when it is {@link #resize resized}, and each instance's keeper
 * follows the last size written, so instances never make and drop each other's entries over different sizes.
 *
 * <p>In the background, after {@link #start()}, one thread keeps the pool at its target: it forgets finished claims,
 * drops entries made at another schema version than the initializer's current one (they are never handed out) and
 * the surplus above the target, and makes new entries, at most {@link Builder#refillConcurrency(int)} at a time
 * per instance and never more than the target across all instances sharing the control plane. It runs when a
 * claim took an entry, when the target changes, and every {@link Builder#checkInterval(Duration)}; during the first
 * {@link Builder#refillDelay(Duration)} of a burst of this instance's claims it waits, so that the burst is not
 * slowed by the refill's {@code CREATE DATABASE} (whose write-ahead log every claim's commit would otherwise wait
 * behind), and after that, or once claims pause for the delay, it refills even while claims go on
 * ({@link RefillGate}).
 *
 * <pre>{@code
 * PostgresWarmPool pool = PostgresWarmPool.builder(store, creator, verifier).targetSize(16).build().start();
 * TenantProvisioner provisioner = TenantProvisioner.builder()...warmPool(pool).build();
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops the background work, waiting for entries being made.
 */
public final class PostgresWarmPool implements WarmPool, AutoCloseable {

    private static final Logger LOG = System.getLogger(PostgresWarmPool.class.getName());
    private static final String POOL_INFIX = "pool_";

    /** The largest target size. */
    public static final int MAX_SIZE = 1000;

    private final WarmPoolStore store;
    private final JdbcTenantStore tenants;
    private final PostgresDatabaseCreator creator;
    private final ConnectionVerifier verifier;
    private final Optional<DatabaseInitializer> initializer;
    private final String prefix;
    private final String server;
    private final int refillConcurrency;
    private final Duration checkInterval;
    private final RefillGate refillGate;
    private final ScheduledExecutorService keeper;
    private final ExecutorService makers;
    private final AtomicBoolean passPending = new AtomicBoolean();
    private final AtomicInteger making = new AtomicInteger();
    private final AtomicBoolean publishPending = new AtomicBoolean(true);
    private volatile int configured;
    private volatile int target;

    private PostgresWarmPool(Builder builder) {
        this.tenants = builder.store;
        this.server = builder.server;
        this.store = new WarmPoolStore(builder.store, builder.server);
        this.creator = builder.creator;
        this.verifier = builder.verifier;
        this.initializer = Optional.ofNullable(builder.initializer);
        this.prefix = builder.prefix;
        this.refillConcurrency = builder.refillConcurrency;
        this.checkInterval = builder.checkInterval;
        this.refillGate = new RefillGate(builder.refillDelay.toNanos());
        this.configured = builder.targetSize;
        this.target = builder.targetSize;
        this.keeper = Executors.newSingleThreadScheduledExecutor(daemons("tenantdb-warm-pool"));
        this.makers = Executors.newFixedThreadPool(refillConcurrency, daemons("tenantdb-warm-pool-maker"));
    }

    /**
     * Starts a builder.
     *
     * @param store    the control plane the entries are tracked in
     * @param creator  makes and drops entries; it must mark objects for the store's control plane and be the
     *                 creator of the pool's server (with a registry, {@code directory.creatorFor(server)})
     * @param verifier proves each entry accepts its role, as for a tenant
     */
    public static Builder builder(JdbcTenantStore store, PostgresDatabaseCreator creator,
                                  ConnectionVerifier verifier) {
        return new Builder(Objects.requireNonNull(store, "store"), Objects.requireNonNull(creator, "creator"),
                Objects.requireNonNull(verifier, "verifier"));
    }

    /**
     * The name of an entry's database and role: the tenant prefix, {@code pool_} and the id's 32 hex digits.
     * {@code pool_} holds letters that are no hex digits, so it never matches {@code <prefix><tenant id>}.
     */
    static String entryName(String prefix, UUID id) {
        return prefix + POOL_INFIX + id.toString().replace("-", "");
    }

    /** Matches {@link #entryName} for {@code prefix}; group 1 holds the id's hex digits. */
    static Pattern entryPattern(String prefix) {
        return Pattern.compile(Pattern.quote(prefix + POOL_INFIX) + "([0-9a-f]{32})");
    }

    /** The id an entry name carries. */
    static UUID entryId(String hex) {
        return UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
    }

    /** Starts the background work: a first pass now, then one every check interval. @return this pool */
    public PostgresWarmPool start() {
        keeper.scheduleWithFixedDelay(this::signal, 0, checkInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Changes the target size of the pool on this server, for every instance: a larger one is filled in the
     * background, a smaller one drops the surplus of ready entries (entries being made finish first, then go). The
     * size is written to the control plane by the next pass of the keeper; the other instances follow it at their
     * next pass.
     *
     * @throws IllegalArgumentException when {@code size} is negative or above {@value #MAX_SIZE}
     */
    public void resize(int size) {
        this.configured = checkedSize(size);
        this.target = configured;
        publishPending.set(true);
        signal();
    }

    /** The target size this instance follows: its own last one, or the control plane's as its keeper last read it. */
    public int targetSize() {
        return target;
    }

    /** The databases' prefix this pool names its entries with, that of the provisioner it serves. */
    public String databasePrefix() {
        return prefix;
    }

    @Override
    public String server() {
        return server;
    }

    @Override
    public Reservation reserve(Tenant tenant) throws SQLException {
        return reserve(tenant, false);
    }

    @Override
    public Reservation reserveOnServer(Tenant tenant) throws SQLException {
        return reserve(tenant, true);
    }

    private Reservation reserve(Tenant tenant, boolean onServer) throws SQLException {
        Objects.requireNonNull(tenant, "tenant");
        if (!tenant.server().equals(server)) {
            throw new IllegalArgumentException("the tenant is placed on another server than the warm pool's");
        }
        if (target == 0) {
            // Off: exactly the reservation without a pool.
            return onServer ? Reservation.cold(tenants.reserveOnServer(tenant))
                    : tenants.reserve(tenant) ? Reservation.COLD : Reservation.DUPLICATE;
        }
        Reservation reservation = store.reserve(tenant, onServer, currentVersion());
        if (reservation.entry().isPresent()) {
            refillGate.claimed(System.nanoTime());
            signal();
        }
        return reservation;
    }

    @Override
    public ConnectionDetails claim(UUID tenantId, String name, Entry entry) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(entry, "entry");
        return creator.claim(tenantId, entry.name(), Objects.requireNonNull(name, "name"));
    }

    @Override
    public void discard(Entry entry) throws SQLException {
        creator.drop(entry.id(), entry.name(), entry.name());
    }

    @Override
    public WarmPoolStatus status() throws SQLException {
        return store.status(target, currentVersion());
    }

    /** Stops the background work and waits up to 30 s for entries being made; an unfinished one is reclaimed. */
    @Override
    public void close() throws InterruptedException {
        keeper.shutdownNow();
        makers.shutdown();
        if (!makers.awaitTermination(30, TimeUnit.SECONDS)) {
            makers.shutdownNow();
        }
    }

    private Optional<String> currentVersion() throws SQLException {
        return initializer.isPresent() ? initializer.get().schemaVersion() : Optional.empty();
    }

    /** Asks for one pass on the keeper thread; requests while one is pending coalesce. */
    private void signal() {
        if (passPending.compareAndSet(false, true)) {
            try {
                keeper.execute(this::pass);
            } catch (RejectedExecutionException closed) {
                passPending.set(false);
            }
        }
    }

    private void pass() {
        passPending.set(false);
        long wait = refillGate.waitNanos(System.nanoTime());
        if (wait > 0) {
            try {
                keeper.schedule(this::signal, wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closed) {
                // Closed meanwhile: nothing more to do.
            }
            return;
        }
        try {
            // Only a pass that goes ahead reads the shared size: one held back during a burst of claims costs nothing.
            followSharedTarget();
            store.forgetFinishedClaims();
            Optional<String> version = currentVersion();
            for (Optional<Entry> gone = store.takeStaleOrSurplus(target, version); gone.isPresent();
                 gone = store.takeStaleOrSurplus(target, version)) {
                discard(gone.get());
                LOG.log(Level.INFO, "warm pool entry {0} dropped (stale or above the target)", gone.get().id());
            }
            while (making.get() < refillConcurrency) {
                UUID id = UUID.randomUUID();
                Entry entry = new Entry(id, entryName(prefix, id));
                if (!store.startMaking(entry, target)) {
                    return;
                }
                making.incrementAndGet();
                makers.execute(() -> make(entry));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "warm pool pass failed, retried at the next check: {0}", LogSafe.describe(e));
        }
    }

    /**
     * Writes this instance's size to the control plane after a start or a resize, and otherwise follows what is
     * there: the last size written by any instance is every instance's target.
     */
    private void followSharedTarget() throws SQLException {
        if (publishPending.compareAndSet(true, false)) {
            int size = configured;
            try {
                store.publishTarget(size);
            } catch (SQLException | RuntimeException e) {
                publishPending.set(true);
                throw e;
            }
            target = size;
        } else {
            target = store.sharedTarget();
        }
    }

    /** Makes one entry by a tenant's steps; a failure leaves nothing and waits for the next check. */
    private void make(Entry entry) {
        boolean made = false;
        try {
            Optional<String> version = currentVersion();
            ConnectionDetails details = creator.create(entry.id(), entry.name(), entry.name());
            verifier.verify(details);
            if (initializer.isPresent()) {
                initializer.get().initialize(details);
            }
            // Ready means a claim can rename it at once: the verifier's and initializer's sessions are gone.
            creator.awaitNoSessions(entry.name(), 500);
            made = store.markReady(entry.id(), version);
            if (!made) {
                LOG.log(Level.WARNING, "warm pool entry {0} was reclaimed while being made", entry.id());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "warm pool entry {0} could not be made: {1}", entry.id(), LogSafe.describe(e));
        } finally {
            if (!made) {
                removeQuietly(entry);
            }
            making.decrementAndGet();
        }
        if (made) {
            signal();
        }
    }

    private void removeQuietly(Entry entry) {
        try {
            discard(entry);
            store.remove(entry.id());
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "warm pool entry {0} left for the reconciler: {1}", entry.id(),
                    LogSafe.describe(e));
        }
    }

    private static int checkedSize(int size) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("warm pool size must be from 0 to " + MAX_SIZE);
        }
        return size;
    }

    /** Daemon threads named {@code name}: background work that must not keep the JVM alive. */
    static ThreadFactory daemons(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Configures a {@link PostgresWarmPool}. Not thread-safe; {@link #build()} copies its state. */
    public static final class Builder {
        private final JdbcTenantStore store;
        private final PostgresDatabaseCreator creator;
        private final ConnectionVerifier verifier;
        private DatabaseInitializer initializer;
        private String prefix = TenantProvisioner.Builder.DEFAULT_DATABASE_PREFIX;
        private String server = DatabaseServer.DEFAULT;
        private int targetSize;
        private int refillConcurrency = 1;
        private Duration checkInterval = Duration.ofSeconds(30);
        private Duration refillDelay = Duration.ofSeconds(1);

        private Builder(JdbcTenantStore store, PostgresDatabaseCreator creator, ConnectionVerifier verifier) {
            this.store = store;
            this.creator = creator;
            this.verifier = verifier;
        }

        /**
         * The provisioner's initializer: each entry is initialized with it when made, and its
         * {@link DatabaseInitializer#schemaVersion()} decides which entries are current.
         */
        public Builder initializer(DatabaseInitializer initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * The provisioner's database prefix (default {@code car_}); entries are named {@code <prefix>pool_…}, so
         * the reconciler with that prefix finds them.
         *
         * @throws IllegalArgumentException unless it is a valid identifier start
         */
        public Builder databasePrefix(String prefix) {
            Identifiers.quote(Objects.requireNonNull(prefix, "prefix"));
            this.prefix = prefix;
            return this;
        }

        /**
         * The registered server the entries are made on (default {@code default}), the one whose creator the pool
         * was given: only tenants placed there are claimed from it.
         *
         * @throws IllegalArgumentException unless it is a valid server name ({@link DatabaseServer#nameViolation})
         */
        public Builder server(String name) {
            Objects.requireNonNull(name, "name");
            DatabaseServer.nameViolation(name).ifPresent(problem -> {
                throw new IllegalArgumentException("server name " + problem);
            });
            this.server = name;
            return this;
        }

        /**
         * How many entries to keep ready (default 0: off, every provisioning creates its database), written to the
         * control plane as every instance's size when the pool starts.
         *
         * @throws IllegalArgumentException when negative or above {@value PostgresWarmPool#MAX_SIZE}
         */
        public Builder targetSize(int size) {
            this.targetSize = checkedSize(size);
            return this;
        }

        /**
         * How many entries this instance makes at once (default 1), so that refilling does not crowd out
         * provisionings that fell back to creating their database.
         *
         * @throws IllegalArgumentException when below 1
         */
        public Builder refillConcurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("refill concurrency must be at least 1");
            }
            this.refillConcurrency = concurrency;
            return this;
        }

        /**
         * How often the pool looks at the control plane without being asked (default 30 s): claims by other
         * instances, a new schema version.
         *
         * @throws IllegalArgumentException unless positive
         */
        public Builder checkInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("check interval must be positive");
            }
            this.checkInterval = interval;
            return this;
        }

        /**
         * How long the keeper holds back after the first claim of a burst before it makes or drops entries (default
         * 1 s), unless claims pause for as long: a burst of sign-ups is served at claim speed, and steady claims do
         * not keep the pool from refilling.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder refillDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("refill delay must not be negative");
            }
            this.refillDelay = delay;
            return this;
        }

        /** Builds the pool; its background work begins with {@link PostgresWarmPool#start()}. */
        public PostgresWarmPool build() {
            return new PostgresWarmPool(this);
        }
    }
}
