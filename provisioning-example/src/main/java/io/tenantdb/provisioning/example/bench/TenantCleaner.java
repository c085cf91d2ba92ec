package io.tenantdb.provisioning.example.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Removes what the bench created: each tenant's database, role and control-plane rows, and, in a final sweep,
 * anything bearing the bench's names that an interrupted run may have left. Uses one admin connection of its own;
 * not thread-safe.
 */
final class TenantCleaner implements AutoCloseable {

    private final Connection connection;

    TenantCleaner(BenchTarget target) throws SQLException {
        this.connection = target.openAdmin(BenchTarget.BENCH_APPLICATION);
        this.connection.setAutoCommit(true);
    }

    /** Drops each database (forcing off any session) and its role, then deletes its control-plane rows. */
    void remove(Collection<Provisioned> created) throws SQLException {
        try (Statement statement = connection.createStatement();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM control_plane.tenants WHERE id = ?")) {
            for (Provisioned tenant : created) {
                String quoted = SqlNames.quote(tenant.databaseName());
                statement.execute("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
                statement.execute("DROP ROLE IF EXISTS " + quoted);
                delete.setObject(1, tenant.tenantId());
                delete.executeUpdate();
            }
        }
    }

    /**
     * Finds and removes leftovers: control-plane tenants named {@link Workload#TENANT_NAME_PREFIX}… with their
     * databases, and databases and roles named with the bench's own prefixes.
     *
     * @return how many objects were found
     */
    int sweep() throws SQLException {
        List<Provisioned> found = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT t.id, d.database_name"
                + " FROM control_plane.tenants t LEFT JOIN control_plane.tenant_databases d ON d.tenant_id = t.id"
                + " WHERE t.name LIKE ?")) {
            select.setString(1, Workload.TENANT_NAME_PREFIX + "%");
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String database = rs.getString(2);
                    found.add(new Provisioned(rs.getObject(1, UUID.class), database == null ? "bench_none" : database));
                }
            }
        }
        for (String name : benchNames("SELECT datname FROM pg_database WHERE datname LIKE ? OR datname LIKE ?")) {
            found.add(new Provisioned(new UUID(0, 0), name));
        }
        for (String name : benchNames("SELECT rolname FROM pg_roles WHERE rolname LIKE ? OR rolname LIKE ?")) {
            found.add(new Provisioned(new UUID(0, 0), name));
        }
        remove(found);
        return found.size();
    }

    /** Counts what a sweep would find; 0 after a clean run. */
    int leftovers() throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(
                "SELECT (SELECT count(*) FROM control_plane.tenants WHERE name LIKE ?)"
                        + " + (SELECT count(*) FROM pg_database WHERE datname LIKE ? OR datname LIKE ?)"
                        + " + (SELECT count(*) FROM pg_roles WHERE rolname LIKE ? OR rolname LIKE ?)")) {
            count.setString(1, Workload.TENANT_NAME_PREFIX + "%");
            for (int i = 2; i <= 4; i += 2) {
                count.setString(i, pattern(SqlNames.FLOOR_PREFIX));
                count.setString(i + 1, pattern(SqlNames.EXISTING_PREFIX));
            }
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<String> benchNames(String query) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(query)) {
            select.setString(1, pattern(SqlNames.FLOOR_PREFIX));
            select.setString(2, pattern(SqlNames.EXISTING_PREFIX));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    // The prefixes hold '_', a LIKE wildcard: escape it so only the bench's own names match.
    private static String pattern(String prefix) {
        return prefix.replace("_", "\\_") + "%";
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
