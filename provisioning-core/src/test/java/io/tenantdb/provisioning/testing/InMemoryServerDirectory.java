package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.spi.DatabaseCreator;
import io.tenantdb.provisioning.spi.ServerDirectory;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ServerDirectory} in memory: one {@link InMemoryDatabaseCreator} per server, servers that do not answer
 * by name ({@link #down}), and, for registration, hosts that do not answer and users without the privileges
 * ({@link #unreachableHosts}, {@link #unprivilegedUsers}). Thread-safe.
 */
public final class InMemoryServerDirectory implements ServerDirectory {

    public final Set<String> down = ConcurrentHashMap.newKeySet();
    public final Set<String> unreachableHosts = ConcurrentHashMap.newKeySet();
    public final Set<String> unprivilegedUsers = ConcurrentHashMap.newKeySet();
    private final Map<String, InMemoryDatabaseCreator> creators = new ConcurrentHashMap<>();
    private final Map<String, Instant> unhealthy = new ConcurrentHashMap<>();

    /** The creator of a server, made on first use. */
    public InMemoryDatabaseCreator creator(String server) {
        return creators.computeIfAbsent(server, name -> new InMemoryDatabaseCreator());
    }

    @Override
    public DatabaseCreator creatorFor(String server) {
        return creator(server);
    }

    @Override
    public boolean answers(String server) {
        if (down.contains(server)) {
            unhealthy.put(server, Instant.now().plusSeconds(30));
            return false;
        }
        return true;
    }

    @Override
    public Optional<Instant> unhealthyUntil(String server) {
        return Optional.ofNullable(unhealthy.get(server));
    }

    @Override
    public boolean mayProvision(PostgresUrl adminUrl) throws SQLException {
        if (unreachableHosts.contains(adminUrl.host())) {
            throw new SQLException("connection refused", "08001");
        }
        return !unprivilegedUsers.contains(adminUrl.user().orElse(""));
    }
}
