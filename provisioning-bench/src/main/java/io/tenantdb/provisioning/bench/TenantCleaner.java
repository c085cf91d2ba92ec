package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Removes what the bench created: each tenant's database, role and control-plane rows, and, in a final sweep,
 * anything an interrupted run may have left that bears the bench's names and this control plane's mark. Drops go
 * through the application's {@link PostgresDatabaseCreator}, which removes only objects carrying that mark, so a
 * bench beside another control plane on the same cluster never touches its objects. Uses one admin connection of
 * its own; not thread-safe.
 */
final class TenantCleaner implements AutoCloseable {

    private final Connection connection;
    private final PostgresDatabaseCreator creator;
    private final String ourMarks;

    TenantCleaner(BenchTarget target) throws SQLException {
        this.connection = target.openAdmin(BenchTarget.BENCH_APPLICATION);
        this.connection.setAutoCommit(true);
        this.creator = target.application().creator();
        this.ourMarks = "tenantdb:" + creator.controlPlaneId() + ":%";
    }

    /** Drops each database (forcing off any session) and its role, then deletes its control-plane rows. */
    void remove(Collection<Provisioned> created) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM control_plane.tenants WHERE id = ?")) {
            for (Provisioned tenant : created) {
                creator.drop(tenant.tenantId(), tenant.databaseName(), tenant.databaseName());
                delete.setObject(1, tenant.tenantId());
                delete.executeUpdate();
            }
        }
    }

    /**
     * Finds and removes leftovers: control-plane tenants named {@link Workload#TENANT_NAME_PREFIX}… with their
     * databases, and databases and roles named with the bench's own prefixes that carry this control plane's mark.
     *
     * @return how many objects were found
     */
    int sweep() throws SQLException {
        List<Provisioned> found = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT t.id, d.database_name FROM control_plane.tenants t
                  LEFT JOIN control_plane.tenant_databases d ON d.tenant_id = t.id
                 WHERE t.name LIKE ?""")) {
            select.setString(1, Workload.TENANT_NAME_PREFIX + "%");
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String database = rs.getString(2);
                    found.add(new Provisioned(rs.getObject(1, UUID.class), database == null ? "bench_none" : database));
                }
            }
        }
        for (String prefix : List.of(SqlNames.FLOOR_PREFIX, SqlNames.EXISTING_PREFIX)) {
            for (String name : ourBenchNames(prefix)) {
                found.add(new Provisioned(UUID.fromString(name.substring(prefix.length()).replace('_', '-')), name));
            }
        }
        remove(found);
        return found.size();
    }

    /** Counts what a sweep would find; 0 after a clean run. */
    int leftovers() throws SQLException {
        int count = 0;
        try (PreparedStatement rows = connection.prepareStatement(
                "SELECT count(*) FROM control_plane.tenants WHERE name LIKE ?")) {
            rows.setString(1, Workload.TENANT_NAME_PREFIX + "%");
            try (ResultSet rs = rows.executeQuery()) {
                rs.next();
                count += rs.getInt(1);
            }
        }
        for (String prefix : List.of(SqlNames.FLOOR_PREFIX, SqlNames.EXISTING_PREFIX)) {
            count += ourBenchNames(prefix).size();
        }
        return count;
    }

    /** Distinct names of databases and roles starting with {@code prefix} that carry this control plane's mark. */
    private List<String> ourBenchNames(String prefix) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT datname FROM pg_database
                 WHERE starts_with(datname, ?)
                   AND coalesce(shobj_description(oid, 'pg_database'), shobj_description(datdba, 'pg_authid')) LIKE ?
                UNION
                SELECT rolname FROM pg_roles
                 WHERE starts_with(rolname, ?) AND shobj_description(oid, 'pg_authid') LIKE ?""")) {
            select.setString(1, prefix);
            select.setString(2, ourMarks);
            select.setString(3, prefix);
            select.setString(4, ourMarks);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
