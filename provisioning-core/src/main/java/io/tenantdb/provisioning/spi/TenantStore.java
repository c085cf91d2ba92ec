package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.Tenant;

import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * The control plane: where tenants and their sealed connection strings are recorded. Implementations are
 * thread-safe.
 */
public interface TenantStore {

    /**
     * Records a tenant in state {@code provisioning}, with a lease, before any database object exists.
     *
     * @return false, writing nothing, when a live tenant with the same name (case-insensitive) exists in
     *         the same environment
     * @throws SQLException when the control plane fails
     */
    boolean reserve(Tenant tenant) throws SQLException;

    /**
     * Records that a provisioning reached {@code step} and renews its lease, so a reconciler can tell a live
     * provisioning from one whose process died. Need not be durable: losing it in a crash is harmless.
     *
     * @throws SQLException when the control plane fails, or the tenant is no longer {@code provisioning} (a
     *                      reconciler rolled it back after its lease expired)
     */
    void advance(UUID tenantId, String step) throws SQLException;

    /**
     * In one transaction, records the tenant's database and marks the tenant {@code active}.
     *
     * @throws SQLException when the control plane fails; nothing is then recorded
     */
    void activate(UUID tenantId, StoredDatabase database) throws SQLException;

    /**
     * Removes every row of a tenant whose provisioning failed. Idempotent.
     *
     * @throws SQLException when the control plane fails
     */
    void release(UUID tenantId) throws SQLException;

    /**
     * @return the tenant, or empty when unknown
     * @throws SQLException when the control plane fails
     */
    Optional<Tenant> find(UUID tenantId) throws SQLException;

    /**
     * @return the tenant's database record, or empty when the tenant is unknown or not provisioned
     * @throws SQLException when the control plane fails
     */
    Optional<StoredDatabase> findDatabase(UUID tenantId) throws SQLException;

    /**
     * A provisioned database as recorded in the control plane.
     *
     * @param databaseName                the tenant database
     * @param roleName                    the login role that owns it
     * @param connectionStringEncrypted   the sealed libpq URI, see {@link CipherService}
     * @param keyId                       the id of the key that sealed it
     */
    record StoredDatabase(String databaseName, String roleName, String connectionStringEncrypted, String keyId) {
    }
}
