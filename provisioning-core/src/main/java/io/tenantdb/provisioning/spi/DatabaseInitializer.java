package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.SQLException;
import java.util.UUID;

/**
 * Optional step: prepares a new tenant database (the host's schema, seed data) before provisioning succeeds.
 * Runs after connectivity is verified; a failure rolls the whole tenant back. Implementations are thread-safe.
 */
@FunctionalInterface
public interface DatabaseInitializer {

    /**
     * @param details the tenant's own credentials; the role owns the database
     * @throws SQLException when initialization fails
     */
    void initialize(ConnectionDetails details) throws SQLException;

    /**
     * What the provisioner calls: as {@link #initialize(ConnectionDetails)}, for the tenant {@code tenantId}, whose
     * control-plane row exists (an initializer may record against it, e.g. in a {@link SchemaVersionStore}).
     *
     * @throws SQLException when initialization fails
     */
    default void initialize(UUID tenantId, ConnectionDetails details) throws SQLException {
        initialize(details);
    }
}
