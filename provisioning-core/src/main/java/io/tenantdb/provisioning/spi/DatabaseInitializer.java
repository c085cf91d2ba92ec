package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.SQLException;
import java.util.Optional;
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

    /**
     * The schema version a database initialized now reaches, for an initializer whose schema is versioned: a warm
     * pool records it with each entry it makes and hands out only entries made at the current one. Default: empty,
     * an unversioned schema (every entry is current).
     *
     * @throws SQLException when the version cannot be determined
     */
    default Optional<String> schemaVersion() throws SQLException {
        return Optional.empty();
    }
}
