package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.SQLException;

/** Proves a new database works by connecting with the tenant's own credentials. Implementations are thread-safe. */
@FunctionalInterface
public interface ConnectionVerifier {

    /**
     * Opens a fresh connection with {@code details}, runs {@code SELECT version()} and closes it.
     *
     * @return the server's version string
     * @throws SQLException when the connection or the query fails
     */
    String verify(ConnectionDetails details) throws SQLException;
}
