package io.tenantdb.provisioning.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tenantdb.provisioning.pool.PoolStats;
import io.tenantdb.provisioning.pool.TenantDataSources;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of a {@link TenantDataSources}, read from its {@link PoolStats} at each scrape: {@code tenantdb.pools}
 * (tenant pools open), {@code tenantdb.pool.connections} tagged {@code state} ({@code active}, {@code idle}),
 * {@code tenantdb.pool.connections.open} (the budget's permits in use) and {@code tenantdb.pool.connections.max}
 * (the budget). Totals only; never a tenant id.
 *
 * <p>Needs {@code provisioning-pool} on the class path (an optional dependency of this module). The gauges hold
 * the data sources weakly, as Micrometer gauges do; keep a reference to them while they are open.
 */
public final class PoolMetrics implements MeterBinder {

    private final TenantDataSources dataSources;

    /**
     * @param dataSources the pools to observe
     * @throws NullPointerException when {@code dataSources} is null
     */
    public PoolMetrics(TenantDataSources dataSources) {
        this.dataSources = Objects.requireNonNull(dataSources, "dataSources");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "tenantdb.pools", "Tenant pools open", null, PoolStats::pools);
        gauge(registry, "tenantdb.pool.connections", "Tenant connections borrowed by the application", "active",
                PoolStats::activeConnections);
        gauge(registry, "tenantdb.pool.connections", "Tenant connections open and idle in the pools", "idle",
                PoolStats::idleConnections);
        gauge(registry, "tenantdb.pool.connections.open", "Server connections counted against the budget", null,
                PoolStats::openConnections);
        gauge(registry, "tenantdb.pool.connections.max", "The budget of server connections across tenants", null,
                PoolStats::maxTotalConnections);
    }

    private void gauge(MeterRegistry registry, String name, String description, String state,
                       ToDoubleFunction<PoolStats> value) {
        Gauge.Builder<TenantDataSources> builder = Gauge
                .builder(name, dataSources, sources -> value.applyAsDouble(sources.stats()))
                .description(description);
        if (state != null) {
            builder.tag("state", state);
        }
        builder.register(registry);
    }
}
