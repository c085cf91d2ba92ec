package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.pool.TenantDataSources;

import java.sql.Connection;
import java.sql.SQLException;

/** (a) {@link TenantDataSources} with a budget of connections across all tenants, its other settings default. */
final class BudgetedRoute implements TenantRoute {

    private final TenantDataSources pools;
    private final int budget;

    BudgetedRoute(TenantConnections connections, int budget) {
        this.budget = budget;
        this.pools = TenantDataSources.builder(connections).maxTotalConnections(budget).build();
    }

    @Override
    public String key() {
        return "a";
    }

    @Override
    public String description() {
        return "TenantDataSources, budget " + budget;
    }

    @Override
    public String applicationName() {
        return "tenantdb-pool";
    }

    @Override
    public Connection connect(Provisioned tenant) throws SQLException {
        return pools.dataSource(tenant.tenantId()).getConnection();
    }

    @Override
    public void close() {
        pools.close();
    }
}
