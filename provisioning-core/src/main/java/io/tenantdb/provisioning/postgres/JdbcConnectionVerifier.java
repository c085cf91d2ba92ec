package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.spi.ConnectionVerifier;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * Verifies a tenant database by opening a fresh connection as the tenant's role and running
 * {@code SELECT version()}. Immutable and thread-safe.
 */
public final class JdbcConnectionVerifier implements ConnectionVerifier {

    private final TenantConnector connector;

    /** @param connector opens the fresh connection and bounds how long it may take */
    public JdbcConnectionVerifier(TenantConnector connector) {
        this.connector = Objects.requireNonNull(connector, "connector");
    }

    @Override
    public String verify(ConnectionDetails details) throws SQLException {
        try (Connection connection = connector.open(details);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT version()")) {
            if (!rs.next() || rs.getString(1) == null) {
                throw new SQLException("SELECT version() returned no row", "58000");
            }
            return rs.getString(1);
        }
    }
}
