package io.tenantdb.provisioning.postgres;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Closes the control-plane database to roles that have no business there. A new database grants {@code CONNECT}
 * to {@code PUBLIC}, so without this every tenant role could log in to it (its schema stays closed to them, but
 * they could see its catalogs). The owner and superusers keep {@code CONNECT}; roles that need it get it granted
 * by name.
 */
final class ControlDatabaseAccess {

    private static final Logger LOG = System.getLogger(ControlDatabaseAccess.class.getName());

    private ControlDatabaseAccess() {
    }

    /**
     * Revokes {@code PUBLIC}'s {@code CONNECT} on the current database when the connected role may act as its owner
     * (it owns it, inherits from its owner, or is a superuser) and {@code PUBLIC} still has it; otherwise does
     * nothing. Runs under the migrator's advisory lock: concurrent {@code REVOKE}s on one database can fail with
     * "tuple concurrently updated". Runs inside the caller's transaction ({@link Jdbc#inTransaction}).
     *
     * @return whether the privilege was revoked now
     */
    static boolean revokePublicConnect(Connection connection) throws SQLException {
        Jdbc.execute(connection, "SELECT pg_advisory_xact_lock(" + SchemaMigrator.LOCK_KEY + ")");
        Access access = Jdbc.query(connection, """
                SELECT pg_has_role(datdba, 'USAGE'), has_database_privilege('public', oid, 'CONNECT')
                  FROM pg_database WHERE datname = current_database()
                """, Jdbc.values(), rs -> new Access(rs.getBoolean(1), rs.getBoolean(2))).get(0);
        if (access.mayRevoke() && access.publicCanConnect()) {
            // The database's name is not ours to vet, so the server quotes it.
            Jdbc.execute(connection, """
                    DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database()); END $$
                    """);
        } else if (access.publicCanConnect()) {
            LOG.log(Level.INFO, "the admin role does not own the control-plane database, so PUBLIC keeps"
                    + " CONNECT on it; its owner can revoke it (see docs/security.md)");
        }
        return access.mayRevoke() && access.publicCanConnect();
    }

    /** Whether the connected role may act as the database's owner, and whether PUBLIC may still connect. */
    private record Access(boolean mayRevoke, boolean publicCanConnect) {
    }
}
