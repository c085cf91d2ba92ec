package io.tenantdb.provisioning.pool;

import io.tenantdb.provisioning.postgres.FixedCredentialsDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/** The data source {@link TenantDataSources#dataSource(UUID)} returns: each connection comes from the tenant's pool. */
final class TenantDataSource extends FixedCredentialsDataSource {

    private final TenantDataSources sources;
    private final UUID tenantId;

    TenantDataSource(TenantDataSources sources, UUID tenantId) {
        this.sources = sources;
        this.tenantId = tenantId;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return sources.borrow(tenantId);
    }

    @Override
    public String toString() {
        return "TenantDataSource[" + tenantId + "]";
    }
}
