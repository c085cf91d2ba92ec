package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** The server registry in the control plane. Implementations are thread-safe. */
public interface ServerStore {

    /**
     * The associated data that binds a server's sealed admin connection to its name: UTF-8 of {@code server:NAME}.
     * It cannot equal a tenant's (a UUID), so neither kind of secret decrypts as the other.
     */
    static byte[] associatedData(String serverName) {
        return ("server:" + serverName).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Every server by name, with its count of tenants that are not deleted, counted now in the control plane;
     * health is left empty (it is each instance's own observation).
     *
     * @throws SQLException when the control plane fails
     */
    List<DatabaseServer> servers() throws SQLException;

    /**
     * A count of the changes this instance has made to the registry ({@link #register}, {@link #registerDefault},
     * {@link #change}, {@link #moveTenant}): when it moves, a copy of {@link #servers()} read before is behind what
     * this instance itself changed. Other instances' changes show only in a fresh read. This default, a constant,
     * tells nothing, so copies are re-read only as they age.
     */
    default long localChanges() {
        return 0;
    }

    /**
     * @return the server with its sealed admin connection, or empty when unknown
     * @throws SQLException when the control plane fails
     */
    Optional<StoredServer> find(String name) throws SQLException;

    /**
     * Records a new server.
     *
     * @return false, writing nothing, when the name is taken
     * @throws SQLException when the control plane fails
     */
    boolean register(StoredServer server) throws SQLException;

    /**
     * Records where tenants reach the {@link DatabaseServer#DEFAULT default} server, the host's own.
     *
     * @throws SQLException when the control plane fails
     */
    void registerDefault(String tenantHost, int tenantPort) throws SQLException;

    /**
     * Applies a change to a server.
     *
     * @return false when no server has this name
     * @throws SQLException when the control plane fails
     */
    boolean change(String name, ServerChange change) throws SQLException;

    /**
     * Replaces a server's sealed admin connection if it still equals {@code expected} (compare and set), for
     * re-encryption under a new key.
     *
     * @return false, changing nothing, when the stored value differs
     * @throws SQLException when the control plane fails
     */
    boolean replaceSecret(String name, String expected, SealedValue replacement) throws SQLException;

    /**
     * Moves an active tenant to another server in one control-plane transaction: its server and its connection
     * string, re-sealed for the new server, change together or not at all (compare and set on the old server and
     * secret, so a rotation or another move meanwhile wins). The caller has made the database on the new server
     * and proved the new string works; this records the switch. See docs/architecture.md.
     *
     * @return false, changing nothing, when the tenant is not active on {@code from} with {@code expectedSecret}, or
     *         {@code to} is not registered
     * @throws SQLException when the control plane fails
     */
    boolean moveTenant(UUID tenantId, String from, String expectedSecret, String to, SealedValue resealed)
            throws SQLException;

    /**
     * A server as recorded, with its sealed admin connection.
     *
     * @param name        the server's name
     * @param adminSealed the admin connection sealed with the server's name as associated data; empty for the
     *                    default server, whose admin connection is the host's own
     * @param tenantHost  written into its tenants' connection strings; empty for the default server until registered
     * @param tenantPort  likewise
     * @param maxTenants  the limit; empty: none
     * @param weight      its share of new tenants
     * @param state       whether it takes new tenants
     */
    record StoredServer(String name, Optional<SealedValue> adminSealed, Optional<String> tenantHost,
                        Optional<Integer> tenantPort, Optional<Integer> maxTenants, int weight, ServerState state) {

        /** @throws NullPointerException when a component is null */
        public StoredServer {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(adminSealed, "adminSealed");
            Objects.requireNonNull(tenantHost, "tenantHost");
            Objects.requireNonNull(tenantPort, "tenantPort");
            Objects.requireNonNull(maxTenants, "maxTenants");
            Objects.requireNonNull(state, "state");
        }
    }
}
