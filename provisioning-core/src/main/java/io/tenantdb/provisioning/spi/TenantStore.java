package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
     * Reserves as {@link #reserve} does, on the tenant's {@link Tenant#server() server}, only while that server is
     * registered, active and holds fewer tenants than its limit. A store of several servers counts in the same
     * transaction as the insert, under a lock on the server's row, so instances reserving at once never exceed it.
     * This default is for stores of one server without a limit: it is {@link #reserve}.
     *
     * @throws SQLException when the control plane fails
     */
    default Reservation reserveOnServer(Tenant tenant) throws SQLException {
        return reserve(tenant) ? Reservation.RESERVED : Reservation.DUPLICATE;
    }

    /** What {@link #reserveOnServer} did. */
    enum Reservation {
        /** The tenant is recorded on its server. */
        RESERVED,
        /** Nothing written: a live tenant with the same name exists in the same environment. */
        DUPLICATE,
        /** Nothing written: the server is draining, full or unknown. */
        NO_ROOM
    }

    /**
     * How long a lease written by {@link #reserve} or {@link #advance} lasts. A provisioning renews its lease before
     * a long step only once half of it has passed; this default, zero, has it renewed before every long step.
     */
    default Duration lease() {
        return Duration.ZERO;
    }

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
     * Lists tenants newest first (by creation time, then id), filtered and paged by keyset.
     *
     * @throws SQLException when the control plane fails
     */
    TenantPage list(TenantQuery query) throws SQLException;

    /**
     * Moves an {@code active} or {@code failed} tenant to {@code deleting}, with a lease, so an interrupted deletion
     * can be finished by a reconciler. A tenant already {@code deleting} is taken over; others are left as they are.
     *
     * @return the tenant as it is after the call (check its status), or empty when unknown
     * @throws SQLException when the control plane fails
     */
    Optional<Tenant> beginDeletion(UUID tenantId) throws SQLException;

    /**
     * Marks a {@code deleting} tenant {@code deleted} and wipes its stored secret, keeping the rows as a tombstone.
     *
     * @throws SQLException when the control plane fails
     */
    void finishDeletion(UUID tenantId) throws SQLException;

    /**
     * Replaces a tenant's sealed connection string if it still equals {@code expected} (compare and set).
     *
     * @return false, changing nothing, when the stored value differs or the tenant has none
     * @throws SQLException when the control plane fails
     */
    boolean replaceSecret(UUID tenantId, String expected, SealedValue replacement) throws SQLException;

    /**
     * Lists stored secrets sealed by a key other than {@code keyId}, ordered by tenant id, after {@code after}
     * (null for the start).
     *
     * @throws SQLException when the control plane fails
     */
    List<StoredSecret> secretsNotSealedBy(String keyId, UUID after, int limit) throws SQLException;

    /**
     * A stored secret with its tenant.
     *
     * @param tenantId the tenant, which is also the secret's associated data
     * @param value    the sealed connection string
     * @param keyId    the id of the key that sealed it
     */
    record StoredSecret(UUID tenantId, String value, String keyId) {
    }

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
