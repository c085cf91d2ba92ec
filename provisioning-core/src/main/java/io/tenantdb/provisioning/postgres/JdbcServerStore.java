package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.ServerStore;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server registry in table {@code control_plane.servers}, beside the {@link JdbcTenantStore} of the same control
 * plane (its schema comes with {@link JdbcTenantStore#migrate()}). Server names are only ever bound as values.
 * Thread-safe.
 */
public final class JdbcServerStore implements ServerStore {

    // Tenants a server holds: every one not deleted, including those being provisioned or deleted.
    /** The count of tenants that are not deleted on the server {@code s} of the enclosing query. */
    private static final String TENANTS_OF_S = """
            SELECT count(*) FROM control_plane.tenant_databases d
              JOIN control_plane.tenants t ON t.id = d.tenant_id
             WHERE d.server_name = s.name AND t.status <> 'deleted'""";

    private final Jdbc jdbc;
    private final AtomicLong localChanges = new AtomicLong();

    /** @param dataSource connections to the control-plane database */
    public JdbcServerStore(DataSource dataSource) {
        this.jdbc = new Jdbc(Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public List<DatabaseServer> servers() throws SQLException {
        return jdbc.query("SELECT s.name, s.state, s.weight, s.max_tenants, s.tenant_host, s.tenant_port, ("
                + TENANTS_OF_S + ") FROM control_plane.servers s ORDER BY s.name",
                rs -> new DatabaseServer(rs.getString(1), state(rs.getString(2)), rs.getInt(3),
                        optionalInt(rs, 4), Optional.ofNullable(rs.getString(5)), optionalInt(rs, 6),
                        rs.getInt(7), Optional.empty()));
    }

    @Override
    public long localChanges() {
        return localChanges.get();
    }

    /** Counts a write of the registry once it has run, and passes its update count through. */
    private int changed(int updated) {
        localChanges.incrementAndGet();
        return updated;
    }

    @Override
    public Optional<StoredServer> find(String name) throws SQLException {
        Objects.requireNonNull(name, "name");
        return jdbc.queryFirst("""
                SELECT admin_connection_encrypted, key_id, tenant_host, tenant_port, max_tenants, weight, state
                  FROM control_plane.servers WHERE name = ?
                """, Jdbc.values(name), rs -> {
                    String sealed = rs.getString(1);
                    return new StoredServer(name,
                            sealed == null ? Optional.empty() : Optional.of(new SealedValue(sealed, rs.getString(2))),
                            Optional.ofNullable(rs.getString(3)), optionalInt(rs, 4), optionalInt(rs, 5),
                            rs.getInt(6), state(rs.getString(7)));
                });
    }

    @Override
    public boolean register(StoredServer server) throws SQLException {
        Objects.requireNonNull(server, "server");
        SealedValue sealed = server.adminSealed()
                .orElseThrow(() -> new IllegalArgumentException("a registered server needs its admin connection"));
        return changed(jdbc.update("""
                INSERT INTO control_plane.servers (name, admin_connection_encrypted, key_id, tenant_host, tenant_port,
                                                   max_tenants, weight, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING
                """, insert -> {
                    insert.setString(1, server.name());
                    insert.setString(2, sealed.value());
                    insert.setString(3, sealed.keyId());
                    insert.setString(4, server.tenantHost().orElse(null));
                    insert.setObject(5, server.tenantPort().orElse(null), Types.INTEGER);
                    insert.setObject(6, server.maxTenants().orElse(null), Types.INTEGER);
                    insert.setInt(7, server.weight());
                    insert.setString(8, server.state().wireName());
                })) == 1;
    }

    @Override
    public void registerDefault(String tenantHost, int tenantPort) throws SQLException {
        Objects.requireNonNull(tenantHost, "tenantHost");
        changed(jdbc.update("""
                UPDATE control_plane.servers SET tenant_host = ?, tenant_port = ?, updated_at = now()
                 WHERE name = 'default' AND (tenant_host, tenant_port) IS DISTINCT FROM (?, ?)
                """, Jdbc.values(tenantHost, tenantPort, tenantHost, tenantPort)));
    }

    @Override
    public boolean change(String name, ServerChange change) throws SQLException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(change, "change");
        // Each absent part keeps its column: the flag says whether the limit changes, since null means no limit.
        return changed(jdbc.update("""
                UPDATE control_plane.servers
                   SET state = coalesce(?, state), weight = coalesce(?, weight),
                       max_tenants = CASE WHEN ? THEN ? ELSE max_tenants END, updated_at = now()
                 WHERE name = ?
                """, update -> {
                    update.setString(1, change.state().map(ServerState::wireName).orElse(null));
                    update.setObject(2, change.weight().orElse(null), Types.INTEGER);
                    update.setBoolean(3, change.maxTenants().isPresent());
                    update.setObject(4, change.maxTenants().filter(max -> max.isPresent())
                            .map(max -> max.getAsInt()).orElse(null), Types.INTEGER);
                    update.setString(5, name);
                })) == 1;
    }

    @Override
    public boolean replaceSecret(String name, String expected, SealedValue replacement) throws SQLException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(replacement, "replacement");
        return jdbc.update("""
                UPDATE control_plane.servers SET admin_connection_encrypted = ?, key_id = ?, updated_at = now()
                 WHERE name = ? AND admin_connection_encrypted = ?
                """, Jdbc.values(replacement.value(), replacement.keyId(), name, expected)) == 1;
    }

    @Override
    public boolean moveTenant(UUID tenantId, String from, String expectedSecret, String to, SealedValue resealed)
            throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(expectedSecret, "expectedSecret");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(resealed, "resealed");
        // One statement: the server and the secret change together, only from the expected state.
        return changed(jdbc.update("""
                UPDATE control_plane.tenant_databases d
                   SET server_name = s.name, connection_string_encrypted = ?, key_id = ?
                  FROM control_plane.servers s, control_plane.tenants t
                 WHERE s.name = ? AND t.id = d.tenant_id AND t.status = 'active'
                   AND d.tenant_id = ? AND d.server_name = ? AND d.connection_string_encrypted = ?
                """, Jdbc.values(resealed.value(), resealed.keyId(), to, tenantId, from, expectedSecret))) == 1;
    }

    /**
     * The statement that opens an on-server reservation ({@link JdbcTenantStore#reserveOnServer}): it locks the
     * server's row to the end of the reservation's implicit transaction, and turns synchronous commit off for it
     * (with no such server nothing is written, so the setting does not matter); parameter 1, the server's name.
     */
    static final String LOCK_FOR_RESERVATION = """
            SELECT set_config('synchronous_commit', 'off', true) FROM control_plane.servers
             WHERE name = ? FOR UPDATE""";

    /**
     * A common table expression {@code room}: one row when the server is active and under its limit; parameter 1,
     * the server's name. Run in the statement after {@link #LOCK_FOR_RESERVATION}, it counts with a snapshot taken
     * after the lock was granted (read committed), so it sees every reservation that held the lock before; a count
     * in the locking statement itself could be stale.
     */
    static final String ROOM = """
            room AS (SELECT 1 FROM control_plane.servers s
                      WHERE s.name = ? AND s.state = 'active'
                        AND (s.max_tenants IS NULL OR s.max_tenants > (%s)))""".formatted(TENANTS_OF_S);

    private static Optional<Integer> optionalInt(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static ServerState state(String wireName) throws SQLException {
        return ServerState.fromWireName(wireName)
                .orElseThrow(() -> new SQLException("unknown server state in control plane", "XX000"));
    }
}
