/**
 * Micrometer metrics for tenantdb: {@link io.tenantdb.provisioning.micrometer.ProvisioningMetrics}, a
 * {@link io.tenantdb.provisioning.spi.ProvisioningListener} that times provisioning and its steps and counts
 * deprovisions and rotations, and {@link io.tenantdb.provisioning.micrometer.PoolMetrics}, gauges of a
 * {@code TenantDataSources}. No meter is ever tagged with a tenant id or name: the tags are closed sets (outcome,
 * error code, step), so the number of series does not grow with the number of tenants.
 */
package io.tenantdb.provisioning.micrometer;
