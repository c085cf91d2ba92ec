package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.postgres.FixedCredentialsDataSource;
import io.tenantdb.provisioning.postgres.TenantConnector;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Fresh connections as one tenant's own role, through {@link TenantConnector} (its timeouts, {@code sslmode} and CA
 * file), for Flyway. Its {@code toString()} names the database only. Immutable and thread-safe.
 */
final class TenantDataSource extends FixedCredentialsDataSource {

    private final TenantConnector connector;
    private final ConnectionDetails details;

    TenantDataSource(TenantConnector connector, ConnectionDetails details) {
        this.connector = connector;
        this.details = details;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connector.open(details);
    }

    @Override
    public String toString() {
        return "TenantDataSource[" + details.database() + "]";
    }
}
