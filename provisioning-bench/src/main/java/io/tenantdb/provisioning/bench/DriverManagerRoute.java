package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * (b) A new {@link DriverManager} connection per query, closed after it: no pool at all. The tenants' details are
 * decrypted once before measuring, so only the connection is timed.
 */
final class DriverManagerRoute implements TenantRoute {

    private final Map<UUID, ConnectionDetails> details;

    DriverManagerRoute(Map<UUID, ConnectionDetails> details) {
        this.details = Map.copyOf(details);
    }

    @Override
    public String key() {
        return "b";
    }

    @Override
    public String description() {
        return "DriverManager connection per query";
    }

    @Override
    public String applicationName() {
        return "tenantdb-bench-route-b";
    }

    @Override
    public Connection connect(Provisioned tenant) throws SQLException {
        ConnectionDetails target = details.get(tenant.tenantId());
        Properties properties = new Properties();
        properties.setProperty("user", target.user());
        properties.setProperty("password", target.password());
        properties.setProperty("ApplicationName", applicationName());
        return DriverManager.getConnection(target.toJdbcUrl(), properties);
    }

    @Override
    public void close() {
    }
}
