package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.ServerStore;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A {@link ServerStore} in memory that counts the tenants of an {@link InMemoryTenantStore}; it starts with the
 * {@code default} server, as the schema does. Operations {@code "servers"}, {@code "find-server"},
 * {@code "register-server"} and {@code "change-server"} can be failed through {@link #faults()}. Tenant moves are
 * not supported. Thread-safe (one lock).
 */
public final class InMemoryServerStore implements ServerStore {

    private final Faults faults = new Faults();
    private final InMemoryTenantStore tenants;
    private final Map<String, StoredServer> servers = new TreeMap<>();
    private long localChanges;

    public InMemoryServerStore(InMemoryTenantStore tenants) {
        this.tenants = tenants;
        servers.put(DatabaseServer.DEFAULT, new StoredServer(DatabaseServer.DEFAULT, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), 1, ServerState.ACTIVE));
    }

    public Faults faults() {
        return faults;
    }

    @Override
    public synchronized List<DatabaseServer> servers() throws SQLException {
        faults.check("servers");
        return servers.values().stream().map(server -> new DatabaseServer(server.name(), server.state(),
                server.weight(), server.maxTenants(), server.tenantHost(), server.tenantPort(),
                (int) tenants.tenants().stream().filter(tenant -> tenant.server().equals(server.name())
                        && tenant.status() != TenantStatus.DELETED).count(), Optional.empty())).toList();
    }

    @Override
    public synchronized long localChanges() {
        return localChanges;
    }

    @Override
    public synchronized Optional<StoredServer> find(String name) throws SQLException {
        faults.check("find-server");
        return Optional.ofNullable(servers.get(name));
    }

    @Override
    public synchronized boolean register(StoredServer server) throws SQLException {
        faults.check("register-server");
        localChanges++;
        return servers.putIfAbsent(server.name(), server) == null;
    }

    @Override
    public synchronized void registerDefault(String tenantHost, int tenantPort) {
        StoredServer old = servers.get(DatabaseServer.DEFAULT);
        localChanges++;
        servers.put(DatabaseServer.DEFAULT, new StoredServer(old.name(), old.adminSealed(), Optional.of(tenantHost),
                Optional.of(tenantPort), old.maxTenants(), old.weight(), old.state()));
    }

    @Override
    public synchronized boolean change(String name, ServerChange change) throws SQLException {
        faults.check("change-server");
        StoredServer old = servers.get(name);
        if (old == null) {
            return false;
        }
        localChanges++;
        Optional<Integer> max = change.maxTenants()
                .map(limit -> limit.isPresent() ? Optional.of(limit.getAsInt()) : Optional.<Integer>empty())
                .orElse(old.maxTenants());
        servers.put(name, new StoredServer(name, old.adminSealed(), old.tenantHost(), old.tenantPort(), max,
                change.weight().orElse(old.weight()), change.state().orElse(old.state())));
        return true;
    }

    @Override
    public synchronized boolean replaceSecret(String name, String expected, SealedValue replacement) {
        StoredServer old = servers.get(name);
        if (old == null || old.adminSealed().filter(sealed -> sealed.value().equals(expected)).isEmpty()) {
            return false;
        }
        servers.put(name, new StoredServer(name, Optional.of(replacement), old.tenantHost(), old.tenantPort(),
                old.maxTenants(), old.weight(), old.state()));
        return true;
    }

    @Override
    public boolean moveTenant(UUID tenantId, String from, String expectedSecret, String to, SealedValue resealed)
            throws SQLException {
        throw new SQLException("moves are not supported by the in-memory fake", "0A000");
    }
}
