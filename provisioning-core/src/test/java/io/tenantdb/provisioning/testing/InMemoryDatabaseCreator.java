package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.spi.DatabaseCreator;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link DatabaseCreator} that keeps roles and databases in memory. Operations {@code "create-role"},
 * {@code "create-database"}, {@code "drop"}, {@code "rotate"} and {@code "restore"} can be failed through
 * {@link #faults()}; a failure at {@code create-database} leaves the role behind, as PostgreSQL would.
 */
public final class InMemoryDatabaseCreator implements DatabaseCreator {

    private final Faults faults = new Faults();
    private final Set<String> roles = ConcurrentHashMap.newKeySet();
    private final Map<String, ConnectionDetails> databases = new ConcurrentHashMap<>();

    public Faults faults() {
        return faults;
    }

    @Override
    public ConnectionDetails create(UUID tenantId, String databaseName, String roleName) throws SQLException {
        faults.check("create-role");
        if (!roles.add(roleName)) {
            throw new SQLException("role already exists", "42710");
        }
        faults.check("create-database");
        ConnectionDetails details = new ConnectionDetails("fake-host", 5432, databaseName, roleName,
                "pw-" + UUID.randomUUID());
        if (databases.putIfAbsent(databaseName, details) != null) {
            throw new SQLException("database already exists", "42P04");
        }
        return details;
    }

    @Override
    public void drop(UUID tenantId, String databaseName, String roleName) throws SQLException {
        faults.check("drop");
        databases.remove(databaseName);
        roles.remove(roleName);
    }

    @Override
    public ConnectionDetails rotatePassword(String databaseName, String roleName) throws SQLException {
        faults.check("rotate");
        ConnectionDetails current = databases.get(databaseName);
        if (current == null || !roles.contains(roleName)) {
            throw new SQLException("role does not exist", "42704");
        }
        ConnectionDetails next = new ConnectionDetails(current.host(), current.port(), databaseName, roleName,
                "pw-" + UUID.randomUUID());
        databases.put(databaseName, next);
        return next;
    }

    @Override
    public void restorePassword(ConnectionDetails previous) throws SQLException {
        faults.check("restore");
        databases.computeIfPresent(previous.database(), (name, current) -> previous);
    }

    /** Names of the databases that exist now. */
    public Set<String> databases() {
        return Set.copyOf(databases.keySet());
    }

    /** Names of the roles that exist now. */
    public Set<String> roles() {
        return Set.copyOf(roles);
    }

    /** True when {@code details} names an existing database with the password it was created with. */
    public boolean accepts(ConnectionDetails details) {
        ConnectionDetails created = databases.get(details.database());
        return created != null && created.equals(details);
    }
}
