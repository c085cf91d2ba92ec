package io.tenantdb.provisioning;

import io.tenantdb.provisioning.internal.IdempotentProvisioner;
import io.tenantdb.provisioning.internal.ListenerChain;
import io.tenantdb.provisioning.internal.ProvisioningSaga;
import io.tenantdb.provisioning.internal.ServerPlacement;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.ConnectionVerifier;
import io.tenantdb.provisioning.spi.DatabaseCreator;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.IdempotencyStore;
import io.tenantdb.provisioning.spi.PlacementPolicy;
import io.tenantdb.provisioning.spi.ProvisioningListener;
import io.tenantdb.provisioning.spi.ServerDirectory;
import io.tenantdb.provisioning.spi.ServerStore;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.WarmPool;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Provisions a physically isolated PostgreSQL database for each new tenant, all or nothing: {@link #provision}
 * returns only when the tenant's database exists, is owned by the tenant's own login role, accepts that role's
 * connection, and its encrypted connection string is stored; on any failure every step already taken is undone
 * and a {@link ProvisioningException} is thrown.
 *
 * <p>Instances come from {@link #builder()} and are immutable and thread-safe.
 */
public interface TenantProvisioner {

    /**
     * Provisions a tenant.
     *
     * @return the active tenant
     * @throws NullPointerException  when {@code request} is null
     * @throws ProvisioningException when any step fails; nothing is left behind unless compensation itself
     *                               failed, in which case the failure is logged and attached as suppressed;
     *                               {@link ErrorCode#NO_CAPACITY} when no registered server can take the tenant
     */
    Tenant provision(TenantRequest request);

    /**
     * Provisions a tenant at most once per {@code idempotencyKey}: repeating the same request with the same key
     * returns the tenant the first call created (also after a crash or a lost response); while the first call runs,
     * {@link ErrorCode#REQUEST_IN_PROGRESS}; the same key with a different request,
     * {@link ErrorCode#IDEMPOTENCY_KEY_REUSED}. A failed call releases the key, so a retry runs again.
     *
     * @throws NullPointerException  when an argument is null
     * @throws ProvisioningException as {@link #provision(TenantRequest)}, plus the codes above, and
     *                               {@link ErrorCode#IDEMPOTENCY_NOT_SUPPORTED} when no idempotency store is configured
     */
    Tenant provision(TenantRequest request, String idempotencyKey);

    /**
     * Looks a tenant up in the control plane.
     *
     * @return the tenant, or empty when unknown
     * @throws ProvisioningException when the control plane cannot be read
     */
    Optional<Tenant> find(UUID tenantId);

    /**
     * Lists tenants newest first, filtered and paged. Never returns a secret.
     *
     * @throws ProvisioningException when the control plane cannot be read
     */
    TenantPage list(TenantQuery query);

    /**
     * Deprovisions a tenant: marks it {@code deleting}, drops its database (terminating sessions) and its role, then
     * marks it {@code deleted}, wiping the stored secret and keeping the row as a tombstone. Idempotent: deleting a
     * deleted tenant returns it unchanged. An interrupted deletion is finished by the next call or a reconciler.
     *
     * @return the tenant, now {@code deleted}
     * @throws ProvisioningException {@link ErrorCode#TENANT_NOT_FOUND} when unknown,
     *                               {@link ErrorCode#TENANT_NOT_ACTIVE} while it is still provisioning
     */
    Tenant deprovision(UUID tenantId);

    /**
     * Gives an active tenant's role a new random password, verifies it, and stores it re-encrypted. Sessions that are
     * already open stay open; the old password stops working when the new one is set. If the new secret cannot be
     * stored, the old password is restored.
     *
     * @return the tenant
     * @throws ProvisioningException {@link ErrorCode#TENANT_NOT_FOUND}, {@link ErrorCode#TENANT_NOT_ACTIVE}, or the
     *                               failing step's code
     */
    Tenant rotateCredentials(UUID tenantId);

    /** Returns a new builder. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Wires the components of a {@link TenantProvisioner}. Each is given explicitly; nothing is discovered.
     * A builder is not thread-safe; {@link #build()} copies its state, so later changes do not affect built
     * provisioners.
     */
    final class Builder {

        /** The default database name prefix: tenant databases are named {@code car_<tenant id>}. */
        public static final String DEFAULT_DATABASE_PREFIX = "car_";

        private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,19}");

        private DatabaseCreator databaseCreator;
        private ServerStore serverStore;
        private ServerDirectory serverDirectory;
        private PlacementPolicy placementPolicy = PlacementPolicy.weightedLeastLoaded();
        private ConnectionVerifier connectionVerifier;
        private CipherService cipherService;
        private TenantStore tenantStore;
        private DatabaseInitializer databaseInitializer;
        private IdempotencyStore idempotencyStore;
        private final List<ProvisioningListener> listeners = new ArrayList<>();
        private WarmPool warmPool;
        private String databasePrefix = DEFAULT_DATABASE_PREFIX;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Required unless {@link #servers} is given: creates and drops tenant databases and roles. */
        public Builder databaseCreator(DatabaseCreator creator) {
            this.databaseCreator = Objects.requireNonNull(creator, "creator");
            return this;
        }

        /**
         * Places tenants across the registered servers instead of on the one {@link #databaseCreator}: each new
         * tenant goes to a server with room that answers (see {@link #placementPolicy}), and every operation on a
         * tenant uses its own server's creator from {@code directory}. Replaces {@link #databaseCreator}.
         */
        public Builder servers(ServerStore store, ServerDirectory directory) {
            this.serverStore = Objects.requireNonNull(store, "store");
            this.serverDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Optional with {@link #servers}: chooses each new tenant's server (default: weighted least-loaded). */
        public Builder placementPolicy(PlacementPolicy policy) {
            this.placementPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Required: proves each new database accepts its own role. */
        public Builder connectionVerifier(ConnectionVerifier verifier) {
            this.connectionVerifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /** Required: seals connection strings before they are stored. */
        public Builder cipherService(CipherService cipher) {
            this.cipherService = Objects.requireNonNull(cipher, "cipher");
            return this;
        }

        /** Required: the control plane. */
        public Builder tenantStore(TenantStore store) {
            this.tenantStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Optional: runs on each new database after verification and before success. */
        public Builder databaseInitializer(DatabaseInitializer initializer) {
            this.databaseInitializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * Optional: receives lifecycle events, for metrics and audit. Each call adds one; they are told in the order
         * added, and one that throws does not keep an event from the others.
         */
        public Builder listener(ProvisioningListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Optional: reserves each tenant placed on the pool's {@link WarmPool#server() server} through a pool of
         * databases made ahead of demand there and claims one when the pool has one ready; otherwise, and on every
         * other server, the tenant's database is created as without a pool. Off unless set. Without {@link #servers}
         * the pool must be on the default server.
         */
        public Builder warmPool(WarmPool pool) {
            this.warmPool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /** Optional: enables {@link TenantProvisioner#provision(TenantRequest, String)}. */
        public Builder idempotencyStore(IdempotencyStore store) {
            this.idempotencyStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Sets the prefix of tenant database and role names (default {@code car_}).
         *
         * @throws IllegalArgumentException unless it is 1–20 characters of {@code [a-z0-9_]} starting with a letter
         */
        public Builder databasePrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException(
                        "database prefix must be 1-20 characters of [a-z0-9_] starting with a letter");
            }
            this.databasePrefix = prefix;
            return this;
        }

        /** Sets the clock that stamps creation times (default: the system UTC clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds an immutable, thread-safe provisioner.
         *
         * @throws IllegalStateException when a required component is missing, or a warm pool on a server other than
         *                               the default one is given without {@link #servers}
         */
        public TenantProvisioner build() {
            if (serverStore == null) {
                require(databaseCreator, "databaseCreator");
            } else if (databaseCreator != null) {
                throw new IllegalStateException("give either databaseCreator or servers, not both");
            }
            require(connectionVerifier, "connectionVerifier");
            require(cipherService, "cipherService");
            require(tenantStore, "tenantStore");
            Optional<WarmPool> pool = Optional.ofNullable(warmPool);
            ServerPlacement placement = serverStore == null
                    ? ServerPlacement.single(tenantStore, databaseCreator, pool)
                    : ServerPlacement.across(tenantStore, serverStore, serverDirectory, placementPolicy, pool);
            ProvisioningSaga saga = new ProvisioningSaga(new ProvisioningSaga.Components(placement,
                    connectionVerifier, Optional.ofNullable(databaseInitializer), cipherService, tenantStore,
                    ListenerChain.of(listeners), pool, databasePrefix, clock));
            return idempotencyStore == null ? saga : new IdempotentProvisioner(saga, idempotencyStore);
        }

        private static void require(Object component, String name) {
            if (component == null) {
                throw new IllegalStateException(name + " is required");
            }
        }
    }
}
