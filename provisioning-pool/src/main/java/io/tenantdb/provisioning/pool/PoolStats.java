package io.tenantdb.provisioning.pool;

/**
 * A snapshot of {@link TenantDataSources}, for gauges. Counts only; never a tenant id.
 *
 * @param pools               tenant pools open now
 * @param activeConnections   connections borrowed by the application now
 * @param idleConnections     connections open and waiting in the pools
 * @param openConnections     server connections open or being opened or closed now: the budget's permits in use
 * @param maxTotalConnections the budget
 */
public record PoolStats(int pools, int activeConnections, int idleConnections, int openConnections,
                        int maxTotalConnections) {
}
