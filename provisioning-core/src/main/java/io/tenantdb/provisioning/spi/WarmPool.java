package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.WarmPoolStatus;

import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Optional: tenant databases made ahead of demand on one server of the registry (its {@link #server()}) by the same
 * steps as a tenant's (role, database owned by it, {@code PUBLIC} revoked, initializer applied), under names outside
 * the tenant pattern. With a pool the provisioner reserves each tenant placed on the pool's server through
 * {@link #reserve} or {@link #reserveOnServer}, which take a ready entry in the reservation's own transaction, and
 * then turns the entry into the tenant's database with {@link #claim} instead of creating one; with none taken it
 * creates one as usual. Tenants placed on other servers are reserved and created without it. Implementations are
 * thread-safe.
 */
public interface WarmPool {

    /** The name of the server whose databases this pool's entries are, {@link DatabaseServer#DEFAULT} by default. */
    default String server() {
        return DatabaseServer.DEFAULT;
    }

    /**
     * Reserves {@code tenant} exactly as {@link TenantStore#reserve} does and, in the same transaction, takes one
     * ready entry made at the current schema version when there is one; an entry is taken by one reservation only.
     * For provisioners with one server, the pool's.
     *
     * @return {@link TenantStore.Reservation#RESERVED RESERVED}, with the entry it took, if any; or
     *         {@link TenantStore.Reservation#DUPLICATE DUPLICATE} when the name is already live (nothing reserved,
     *         nothing taken)
     * @throws SQLException when the control plane refuses
     */
    Reservation reserve(Tenant tenant) throws SQLException;

    /**
     * Reserves {@code tenant}, placed on this pool's server, exactly as {@link TenantStore#reserveOnServer} does (only
     * while the server is active and under its limit, counted under a lock on its row) and, in the same transaction,
     * takes an entry as {@link #reserve} does. For provisioners placing across a registry.
     *
     * @return as {@link #reserve}, or {@link TenantStore.Reservation#NO_ROOM NO_ROOM} (nothing written or taken)
     * @throws IllegalArgumentException when the tenant is placed on another server than the pool's
     * @throws SQLException             when the control plane refuses
     */
    Reservation reserveOnServer(Tenant tenant) throws SQLException;

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

    /**
     * What a reservation through the pool did, with the entry taken for the tenant, if any.
     *
     * @param outcome whether the tenant was recorded
     * @param entry   the entry taken; only when {@code outcome} is {@code RESERVED}
     */
    record Reservation(TenantStore.Reservation outcome, Optional<Entry> entry) {
        /** Reserved without an entry: the provisioning creates the database itself. */
        public static final Reservation COLD = new Reservation(TenantStore.Reservation.RESERVED, Optional.empty());
        /** Nothing written: the name is already live. */
        public static final Reservation DUPLICATE = new Reservation(TenantStore.Reservation.DUPLICATE,
                Optional.empty());
        /** Nothing written: the server is draining, full or unknown. */
        public static final Reservation NO_ROOM = new Reservation(TenantStore.Reservation.NO_ROOM, Optional.empty());

        /**
         * @throws NullPointerException     when an argument is null
         * @throws IllegalArgumentException when an entry comes with another outcome than {@code RESERVED}
         */
        public Reservation {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(entry, "entry");
            if (entry.isPresent() && outcome != TenantStore.Reservation.RESERVED) {
                throw new IllegalArgumentException("only a reserved tenant takes an entry");
            }
        }

        /** Reserved with {@code entry} taken. */
        public static Reservation warm(Entry entry) {
            return new Reservation(TenantStore.Reservation.RESERVED, Optional.of(entry));
        }

        /** What a reservation without the pool did, with no entry. */
        public static Reservation cold(TenantStore.Reservation outcome) {
            return switch (outcome) {
                case RESERVED -> COLD;
                case DUPLICATE -> DUPLICATE;
                case NO_ROOM -> NO_ROOM;
            };
        }
    }
}
