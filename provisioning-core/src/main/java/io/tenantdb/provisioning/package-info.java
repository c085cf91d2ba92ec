/**
 * The provisioning API: {@link io.tenantdb.provisioning.TenantProvisioner} and its values. Plug-in points are in
 * {@code .spi}; PostgreSQL and AES-GCM implementations in {@code .postgres} and {@code .crypto}.
 */
package io.tenantdb.provisioning;
