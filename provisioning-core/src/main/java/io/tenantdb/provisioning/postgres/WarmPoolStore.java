package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.WarmPool.Entry;
import io.tenantdb.provisioning.spi.WarmPool.Reservation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The rows of one server's warm pool in {@code control_plane.warm_pool_entries} (schema V8, server since V10), beside
 * the tenants of one {@link JdbcTenantStore}. Every count, refill, drop and reconciliation reads and writes only the
 * rows of its server. Changes of a pool's size run under one advisory transaction lock (one for all servers: size
 * changes are rare), so that instances sharing the pool never make it larger than the target. Thread-safe.
 */
final class WarmPoolStore {

    // Distinct from the schema migration and reconciler locks.
    static final long SIZE_LOCK_KEY = 0x74656e616e747770L;

    // The server's unclaimed entries; its parameter is the server's name.
    private static final String UNCLAIMED =
            "SELECT count(*) FROM control_plane.warm_pool_entries WHERE tenant_id IS NULL AND server_name = ?";

    private final JdbcTenantStore tenants;
    private final String server;
    private final Jdbc jdbc;

    /** The rows of the pool on {@code server}, a name in the registry. */
    WarmPoolStore(JdbcTenantStore tenants, String server) {
        this.tenants = tenants;
        this.server = server;
        this.jdbc = new Jdbc(tenants.dataSource());
    }

    /**
     * Reserves the tenant, on this pool's server, as {@link JdbcTenantStore#reserve} does ({@code onServer} false)
     * or as {@link JdbcTenantStore#reserveOnServer} does (true: only while the server has room, counted under its
     * row's lock in the same round trip), and in the same statement takes the oldest ready entry of this server
     * made at {@code version} that no other transaction holds; the entry's version becomes the tenant's recorded
     * schema version. Nothing is written or taken when the name is taken or the server has no room.
     */
    Reservation reserve(Tenant tenant, boolean onServer, Optional<String> version) throws SQLException {
        String more = """
                , entry AS (SELECT e.id FROM control_plane.warm_pool_entries e
                             WHERE e.state = 'ready' AND e.tenant_id IS NULL AND e.server_name = ?
                               AND e.schema_version IS NOT DISTINCT FROM ?
                             ORDER BY e.ready_at LIMIT 1 FOR UPDATE SKIP LOCKED),
                claimed AS (UPDATE control_plane.warm_pool_entries e SET tenant_id = r.tenant_id
                              FROM entry, reserved_database r WHERE e.id = entry.id
                            RETURNING e.id, e.name, e.schema_version),
                recorded AS (INSERT INTO control_plane.tenant_schemas (tenant_id, version, migrated_at)
                             SELECT r.tenant_id, c.schema_version, now() FROM claimed c, reserved_database r
                              WHERE c.schema_version IS NOT NULL)""";
        String select = """
                SELECT EXISTS (SELECT FROM room), (SELECT count(*) FROM reserved_database), c.id, c.name
                  FROM (VALUES (1)) one LEFT JOIN claimed c ON true""";
        return tenants.reserveWith(tenant, onServer, more, select, (statement, first) -> {
            statement.setString(first, server);
            statement.setString(first + 1, version.orElse(null));
        }, statement -> {
            try (ResultSet rs = statement.getResultSet()) {
                rs.next();
                TenantStore.Reservation outcome = JdbcTenantStore.outcome(rs);
                if (outcome != TenantStore.Reservation.RESERVED) {
                    return Reservation.cold(outcome);
                }
                UUID id = rs.getObject(3, UUID.class);
                return id == null ? Reservation.COLD : Reservation.warm(new Entry(id, rs.getString(4)));
            }
        });
    }

    /**
     * Records a new entry being made, under this instance's lease, unless the pool's unclaimed entries (ready,
     * stale or being made) already reach {@code target}.
     *
     * @return whether the row was written
     */
    boolean startMaking(Entry entry, int target) throws SQLException {
        return jdbc.inTransaction(connection -> {
            Jdbc.execute(connection, "SELECT pg_advisory_xact_lock(" + SIZE_LOCK_KEY + ")");
            return Jdbc.update(connection, """
                    INSERT INTO control_plane.warm_pool_entries
                           (id, name, server_name, state, lease_owner, lease_lock, lease_expires_at)
                    SELECT ?, ?, ?, 'making', ?, ?, now() + ? * interval '1 millisecond' WHERE (%s) < ?
                    """.formatted(UNCLAIMED), statement -> {
                        statement.setObject(1, entry.id());
                        statement.setString(2, entry.name());
                        statement.setString(3, server);
                        tenants.bindLease(statement, 4);
                        statement.setString(7, server);
                        statement.setInt(8, target);
                    }) == 1;
        });
    }

    /** Marks an entry ready at {@code version}; false when its row is gone (a reconciler reclaimed it). */
    boolean markReady(UUID id, Optional<String> version) throws SQLException {
        return jdbc.update("""
                UPDATE control_plane.warm_pool_entries
                   SET state = 'ready', ready_at = now(), schema_version = ?,
                       lease_owner = NULL, lease_lock = NULL, lease_expires_at = NULL
                 WHERE id = ? AND state = 'making'
                """, statement -> {
                    statement.setString(1, version.orElse(null));
                    statement.setObject(2, id);
                }) == 1;
    }

    /** Deletes an entry's row. */
    void remove(UUID id) throws SQLException {
        jdbc.update("DELETE FROM control_plane.warm_pool_entries WHERE id = ?", Jdbc.values(id));
    }

    /**
     * Takes one ready, unclaimed entry out of the pool for dropping: one made at another version than
     * {@code version} first, else any one while the unclaimed entries exceed {@code target}. Its row is deleted
     * here; the caller drops its objects (after a crash in between, the reconciler does).
     */
    Optional<Entry> takeStaleOrSurplus(int target, Optional<String> version) throws SQLException {
        return jdbc.inTransaction(connection -> {
            Jdbc.execute(connection, "SELECT pg_advisory_xact_lock(" + SIZE_LOCK_KEY + ")");
            return Jdbc.query(connection, """
                    DELETE FROM control_plane.warm_pool_entries WHERE id = (
                        SELECT id FROM control_plane.warm_pool_entries
                         WHERE state = 'ready' AND tenant_id IS NULL AND server_name = ?
                           AND (schema_version IS DISTINCT FROM ? OR (%s) > ?)
                         ORDER BY schema_version IS NOT DISTINCT FROM ?, ready_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING id, name
                    """.formatted(UNCLAIMED), statement -> {
                        statement.setString(1, server);
                        statement.setString(2, version.orElse(null));
                        statement.setString(3, server);
                        statement.setInt(4, target);
                        statement.setString(5, version.orElse(null));
                    }, rs -> new Entry(rs.getObject(1, UUID.class), rs.getString(2))).stream().findFirst();
        });
    }

    /** Deletes the rows of entries claimed by tenants that are no longer provisioning: their claims are done. */
    int forgetFinishedClaims() throws SQLException {
        return jdbc.update("""
                DELETE FROM control_plane.warm_pool_entries e
                 WHERE e.tenant_id IS NOT NULL AND e.server_name = ? AND NOT EXISTS (
                       SELECT FROM control_plane.tenants t WHERE t.id = e.tenant_id AND t.status = 'provisioning')
                """, Jdbc.values(server));
    }

    /** Records {@code target} as the size every instance's pool on this server follows. */
    void publishTarget(int target) throws SQLException {
        jdbc.update("UPDATE control_plane.servers SET warm_pool_target = ?, updated_at = now() WHERE name = ?",
                Jdbc.values(target, server));
    }

    /** The size every instance's pool on this server follows; 0 when the server is not registered. */
    int sharedTarget() throws SQLException {
        return jdbc.queryFirst("SELECT warm_pool_target FROM control_plane.servers WHERE name = ?",
                Jdbc.values(server), rs -> rs.getInt(1)).orElse(0);
    }

    /** The pool's counts against {@code target}, with ready entries at {@code version} counted as ready. */
    WarmPoolStatus status(int target, Optional<String> version) throws SQLException {
        return jdbc.query("""
                SELECT count(*) FILTER (WHERE state = 'ready' AND schema_version IS NOT DISTINCT FROM ?),
                       count(*) FILTER (WHERE state = 'making'),
                       count(*) FILTER (WHERE state = 'ready' AND schema_version IS DISTINCT FROM ?)
                  FROM control_plane.warm_pool_entries WHERE tenant_id IS NULL AND server_name = ?
                """, statement -> {
                    statement.setString(1, version.orElse(null));
                    statement.setString(2, version.orElse(null));
                    statement.setString(3, server);
                }, rs -> new WarmPoolStatus(target, rs.getInt(1), rs.getInt(2), rs.getInt(3))).get(0);
    }

    /** Entries of this server being made whose lease's owner is gone. */
    List<Entry> abandoned() throws SQLException {
        return jdbc.query("SELECT t.id, t.name FROM control_plane.warm_pool_entries t"
                + " WHERE t.server_name = ? AND t.state = 'making' AND" + JdbcTenantStore.ABANDONED,
                Jdbc.values(server), rs -> new Entry(rs.getObject(1, UUID.class), rs.getString(2)));
    }

    /** Deletes an abandoned entry's row, unless its maker finished it or renewed its lease meanwhile. */
    boolean removeAbandoned(UUID id) throws SQLException {
        return jdbc.update("DELETE FROM control_plane.warm_pool_entries t"
                + " WHERE t.id = ? AND t.server_name = ? AND t.state = 'making' AND" + JdbcTenantStore.ABANDONED,
                Jdbc.values(id, server)) == 1;
    }

    /**
     * Which of these entry ids have a row, on any server: an object whose entry is recorded for another server (one
     * cluster registered under two names) is that server's pool's to judge, as a tenant live elsewhere is.
     */
    Set<UUID> existing(Collection<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.query("SELECT id FROM control_plane.warm_pool_entries WHERE id = ANY (?::uuid[])",
                Jdbc.values((Object) ids.stream().map(UUID::toString).toArray(String[]::new)),
                rs -> rs.getObject(1, UUID.class)));
    }
}
