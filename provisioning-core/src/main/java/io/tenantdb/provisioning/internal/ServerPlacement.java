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
 * policy chooses among those with room (counted in the control plane), skipping any that does not answer or that
 * filled up meanwhile. Immutable and thread-safe.
 */
public final class ServerPlacement {

    private static final Logger LOG = System.getLogger(ServerPlacement.class.getName());

    private final TenantStore store;
    private final Optional<DatabaseCreator> single;
    private final Optional<ServerStore> servers;
    private final Optional<ServerDirectory> directory;
    private final PlacementPolicy policy;

    private ServerPlacement(TenantStore store, Optional<DatabaseCreator> single, Optional<ServerStore> servers,
                            Optional<ServerDirectory> directory, PlacementPolicy policy) {
        this.store = store;
        this.single = single;
        this.servers = servers;
        this.directory = directory;
        this.policy = policy;
    }

    /** Every tenant on the default server, made and dropped by {@code creator}. */
    public static ServerPlacement single(TenantStore store, DatabaseCreator creator) {
        return new ServerPlacement(store, Optional.of(creator), Optional.empty(), Optional.empty(),
                PlacementPolicy.weightedLeastLoaded());
    }

    /** Tenants across the registry's servers, new ones placed by {@code policy}. */
    public static ServerPlacement across(TenantStore store, ServerStore servers, ServerDirectory directory,
                                         PlacementPolicy policy) {
        return new ServerPlacement(store, Optional.empty(), Optional.of(servers), Optional.of(directory), policy);
    }

    /** True when every tenant is on the default server, made and dropped by one creator. */
    boolean singleServer() {
        return single.isPresent();
    }

    /**
     * Records a new tenant on a server.
     *
     * @return the tenant on its server, or empty when the name is taken (nothing written)
     * @throws ProvisioningException {@link ErrorCode#NO_CAPACITY} when no server can take it
     */
    Optional<Tenant> reserve(Tenant tenant) throws SQLException {
        if (single.isPresent()) {
            return store.reserve(tenant) ? Optional.of(tenant) : Optional.empty();
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
            switch (store.reserveOnServer(placed)) {
                case RESERVED:
                    return Optional.of(placed);
                case DUPLICATE:
                    return Optional.empty();
                default:
                    // Another instance filled it, or it was drained, since the counts were read.
                    break;
            }
        }
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
