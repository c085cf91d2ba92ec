package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.WarmPoolStatus;

import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Optional: tenant databases made ahead of demand by the same steps as a tenant's (role, database owned by it,
 * {@code PUBLIC} revoked, initializer applied), under names outside the tenant pattern. With a pool the provisioner
 * reserves each tenant through {@link #reserve}, which takes a ready entry in the reservation's own transaction, and
 * then turns the entry into the tenant's database with {@link #claim} instead of creating one; with none taken it
 * creates one as usual. Implementations are thread-safe.
 */
public interface WarmPool {

    /**
     * Reserves {@code tenant} exactly as {@link TenantStore#reserve} does and, in the same transaction, takes one
     * ready entry made at the current schema version when there is one; an entry is taken by one reservation only.
     *
     * @return empty when the name is already live (nothing reserved, nothing taken); else the reservation, with the
     *         entry it took, if any
     * @throws SQLException when the control plane refuses
     */
    Optional<Reservation> reserve(Tenant tenant) throws SQLException;

    /**
     * Turns a taken entry into the tenant's own database and role, both named {@code name}: renamed, given a fresh
     * password and marked for the tenant, all in one transaction.
     *
     * @return the tenant's credentials
     * @throws SQLException when PostgreSQL refuses
     */
    ConnectionDetails claim(UUID tenantId, String name, Entry entry) throws SQLException;

    /**
     * Drops a taken entry's database and role if they still carry the entry's name and mark (a claim that failed
     * before its rename committed); idempotent.
     *
     * @throws SQLException when PostgreSQL refuses
     */
    void discard(Entry entry) throws SQLException;

    /**
     * The pool's size as the control plane records it now.
     *
     * @throws SQLException when the control plane cannot be read
     */
    WarmPoolStatus status() throws SQLException;

    /** A pool entry: its id (the one its mark names) and the name of its database and role. */
    record Entry(UUID id, String name) {
        /** @throws NullPointerException when an argument is null */
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
        }
    }

    /** A tenant reserved through the pool, with the entry taken for it, if any. */
    record Reservation(Optional<Entry> entry) {
        /** A reservation without an entry: the provisioning creates the database itself. */
        public static final Reservation COLD = new Reservation(Optional.empty());

        /** @throws NullPointerException when {@code entry} is null */
        public Reservation {
            Objects.requireNonNull(entry, "entry");
        }
    }
}
