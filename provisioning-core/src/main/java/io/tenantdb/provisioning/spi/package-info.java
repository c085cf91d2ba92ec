/**
 * The plug-in points of provisioning: the four components every provisioner needs ({@code DatabaseCreator},
 * {@code ConnectionVerifier}, {@code CipherService}, {@code TenantStore}) and the optional ones
 * ({@code DatabaseInitializer}, {@code IdempotencyStore}, {@code ProvisioningListener}). Each is wired explicitly
 * through {@link io.tenantdb.provisioning.TenantProvisioner#builder()}; implementations live in
 * {@code io.tenantdb.provisioning.postgres} and {@code io.tenantdb.provisioning.crypto}, and tests may pass
 * their own. Methods may throw {@link java.sql.SQLException}; the provisioner wraps it exactly once.
 */
package io.tenantdb.provisioning.spi;
