package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.SQLException;

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
}
