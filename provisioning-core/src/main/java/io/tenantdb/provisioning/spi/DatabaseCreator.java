package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.SQLException;
import java.util.UUID;

/**
 * Creates and drops a tenant's database together with the login role that owns it. Implementations must be
 * thread-safe. Names are chosen by the provisioner from the tenant id, never from user input.
 */
public interface DatabaseCreator {

    /**
     * Creates a login role {@code roleName} with a fresh random password and a database {@code databaseName}
     * owned by it, reachable by that role only.
     *
     * @param tenantId     recorded on the database so it can be matched back to its tenant
     * @return how the new role reaches its database
     * @throws SQLException when PostgreSQL refuses; the caller then calls {@link #drop}
     */
    ConnectionDetails create(UUID tenantId, String databaseName, String roleName) throws SQLException;

    /**
     * Drops the database (terminating its sessions) and then the role, if they were made for {@code tenantId} by this
     * control plane; objects of that name made by anyone else are left alone. Idempotent: either may already be gone.
     *
     * @throws SQLException when PostgreSQL refuses
     */
    void drop(UUID tenantId, String databaseName, String roleName) throws SQLException;

    /**
     * Gives the role a fresh random password. Sessions already open stay open.
     *
     * @return the new credentials
     * @throws SQLException when PostgreSQL refuses
     */
    ConnectionDetails rotatePassword(String databaseName, String roleName) throws SQLException;

    /**
     * Sets a role's password back to {@code previous.password()}, to undo a rotation that could not be recorded.
     *
     * @throws SQLException when PostgreSQL refuses
     */
    void restorePassword(ConnectionDetails previous) throws SQLException;
}
