package io.tenantdb.provisioning.pool;

import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.service.UnknownUnwrapTypeException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;

/**
 * Hibernate ORM's {@link MultiTenantConnectionProvider} over {@link TenantDataSources}: a session opened for a tenant
 * ({@code sessionFactory.withOptions().tenantIdentifier(tenantId)}, or a {@code CurrentTenantIdentifierResolver}
 * returning the tenant's {@link UUID}) gets its connections from that tenant's pool, under the shared budget.
 * Hibernate's connections outside any tenant (JDBC metadata at start-up) come from the data source given for them.
 * Pass it as {@code hibernate.multi_tenant_connection_provider}. {@code hibernate-core} (7.x) is an optional
 * dependency of this module: a host that uses this class declares it. Immutable and thread-safe.
 */
public final class HibernateConnectionProvider implements MultiTenantConnectionProvider<UUID> {

    private static final long serialVersionUID = 1L;

    private final transient TenantDataSources tenants;
    private final transient DataSource withoutTenant;

    /**
     * @param tenants       the tenants' pools
     * @param withoutTenant connections Hibernate uses for itself, e.g. the control plane's pool
     * @throws NullPointerException when an argument is null
     */
    public HibernateConnectionProvider(TenantDataSources tenants, DataSource withoutTenant) {
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.withoutTenant = Objects.requireNonNull(withoutTenant, "withoutTenant");
    }

    @Override
    public Connection getAnyConnection() throws SQLException {
        return withoutTenant.getConnection();
    }

    @Override
    public void releaseAnyConnection(Connection connection) throws SQLException {
        connection.close();
    }

    /**
     * @throws io.tenantdb.provisioning.ProvisioningException {@code TENANT_NOT_FOUND} or {@code TENANT_NOT_ACTIVE}
     *                                                        for a tenant that cannot be served
     */
    @Override
    public Connection getConnection(UUID tenantId) throws SQLException {
        return tenants.dataSource(tenantId).getConnection();
    }

    @Override
    public void releaseConnection(UUID tenantId, Connection connection) throws SQLException {
        connection.close();
    }

    @Override
    public boolean supportsAggressiveRelease() {
        return false;
    }

    @Override
    public boolean isUnwrappableAs(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (!isUnwrappableAs(type)) {
            throw new UnknownUnwrapTypeException(type);
        }
        return type.cast(this);
    }
}
