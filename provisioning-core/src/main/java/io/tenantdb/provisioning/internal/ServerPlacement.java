package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.spi.DatabaseCreator;
import io.tenantdb.provisioning.spi.PlacementPolicy;
import io.tenantdb.provisioning.spi.ServerDirectory;
import io.tenantdb.provisioning.spi.ServerStore;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.WarmPool;
import io.tenantdb.provisioning.spi.WarmPool.Entry;
import io.tenantdb.provisioning.spi.WarmPool.Reservation;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a tenant's database lives: reserving a new tenant on a server, and the creator of each tenant's own server.
 * With one creator, every tenant is on the default server. With a registry, a new tenant goes to the server the
 * policy chooses among those with room (counted in the control plane, read at most once a second:
 * {@link RegistrySnapshot}), skipping any that does not answer or that filled up meanwhile. A tenant placed on the
 * warm pool's server is reserved through the pool, which may take an entry in the same transaction; on any other
 * server it is reserved without. Thread-safe.
 */
public final class ServerPlacement {

    private static final Logger LOG = System.getLogger(ServerPlacement.class.getName());

    private final TenantStore store;
    private final Optional<DatabaseCreator> single;
    private final Optional<RegistrySnapshot> servers;
    private final Optional<ServerDirectory> directory;
    private final PlacementPolicy policy;
    private final Optional<WarmPool> warmPool;

    private ServerPlacement(TenantStore store, Optional<DatabaseCreator> single, Optional<ServerStore> servers,
                            Optional<ServerDirectory> directory, PlacementPolicy policy, Optional<WarmPool> warmPool) {
        this.store = store;
        this.single = single;
        this.servers = servers.map(RegistrySnapshot::new);
        this.directory = directory;
        this.policy = policy;
        this.warmPool = warmPool;
    }

    /**
     * Every tenant on the default server, made and dropped by {@code creator}, reserved through {@code warmPool}
     * when given.
     *
     * @throws IllegalStateException when the warm pool is on another server than the default one
     */
    public static ServerPlacement single(TenantStore store, DatabaseCreator creator, Optional<WarmPool> warmPool) {
        if (warmPool.filter(pool -> !pool.server().equals(DatabaseServer.DEFAULT)).isPresent()) {
            throw new IllegalStateException("a warm pool on server " + warmPool.get().server()
                    + " needs a provisioner placing across the registry (servers)");
        }
        return new ServerPlacement(store, Optional.of(creator), Optional.empty(), Optional.empty(),
                PlacementPolicy.weightedLeastLoaded(), warmPool);
    }

    /**
     * Tenants across the registry's servers, new ones placed by {@code policy}; those placed on the warm pool's
     * server, when there is a pool, reserved through it.
     */
    public static ServerPlacement across(TenantStore store, ServerStore servers, ServerDirectory directory,
                                         PlacementPolicy policy, Optional<WarmPool> warmPool) {
        return new ServerPlacement(store, Optional.empty(), Optional.of(servers), Optional.of(directory), policy,
                warmPool);
    }

    /**
     * Records a new tenant on a server, taking a warm-pool entry for it in the same transaction when the server is
     * the pool's and one is ready.
     *
     * @return the tenant on its server with the entry taken, if any; or empty when the name is taken (nothing
     *         written, nothing taken)
     * @throws ProvisioningException {@link ErrorCode#NO_CAPACITY} when no server can take it
     */
    Optional<Placed> reserve(Tenant tenant) throws SQLException {
        if (single.isPresent()) {
            return placed(tenant, warmPool.isPresent() ? warmPool.get().reserve(tenant)
                    : store.reserve(tenant) ? Reservation.COLD : Reservation.DUPLICATE);
        }
        Set<String> excluded = new HashSet<>();
        while (true) {
            List<DatabaseServer> candidates = servers.get().servers().stream()
                    .filter(DatabaseServer::hasRoom).filter(server -> !excluded.contains(server.name()))
                    .filter(server -> directory.get().unhealthyUntil(server.name()).isEmpty())
                    .toList();
            Optional<DatabaseServer> choice = candidates.isEmpty() ? Optional.empty() : policy.choose(candidates);
            if (choice.isEmpty()) {
                LOG.log(Level.WARNING, "no server can take a new tenant ({0} tried)", excluded.size());
                throw new ProvisioningException(ErrorCode.NO_CAPACITY, "no server has room for the tenant");
            }
            String name = choice.get().name();
            if (!candidates.contains(choice.get())) {
                throw new IllegalStateException("the placement policy chose a server it was not offered");
            }
            excluded.add(name);
            if (!directory.get().answers(name)) {
                continue;
            }
            Tenant placed = tenant.onServer(name);
            Optional<WarmPool> pool = warmPool.filter(candidate -> candidate.server().equals(name));
            Reservation reservation = pool.isPresent() ? pool.get().reserveOnServer(placed)
                    : Reservation.cold(store.reserveOnServer(placed));
            // NO_ROOM: another instance filled it, or it was drained, since the counts were read.
            if (reservation.outcome() == TenantStore.Reservation.RESERVED) {
                servers.get().placed(name);
            }
            if (reservation.outcome() != TenantStore.Reservation.NO_ROOM) {
                return placed(placed, reservation);
            }
            servers.get().forget();
        }
    }

    private static Optional<Placed> placed(Tenant tenant, Reservation reservation) {
        return reservation.outcome() == TenantStore.Reservation.RESERVED
                ? Optional.of(new Placed(tenant, reservation.entry())) : Optional.empty();
    }

    /** A new tenant recorded on its server, with the warm-pool entry it took, if any. */
    record Placed(Tenant tenant, Optional<Entry> entry) {
    }

    /**
     * The creator of databases on {@code server}.
     *
     * @throws SQLException when the server is not known here
     */
    DatabaseCreator creatorFor(String server) throws SQLException {
        if (single.isPresent()) {
            if (!server.equals(DatabaseServer.DEFAULT)) {
                throw new SQLException("no server registry is configured for server " + server, "42704");
            }
            return single.get();
        }
        return directory.get().creatorFor(server);
    }
}
