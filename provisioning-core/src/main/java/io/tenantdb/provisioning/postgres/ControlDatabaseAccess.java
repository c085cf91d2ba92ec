package io.tenantdb.provisioning.postgres;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

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
     * "tuple concurrently updated".
     *
     * @return whether the privilege was revoked now
     */
    static boolean revokePublicConnect(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_xact_lock(" + SchemaMigrator.LOCK_KEY + ")");
            boolean allowed;
            boolean publicCanConnect;
            try (ResultSet rs = statement.executeQuery("SELECT pg_has_role(datdba, 'USAGE'),"
                    + " has_database_privilege('public', oid, 'CONNECT')"
                    + " FROM pg_database WHERE datname = current_database()")) {
                rs.next();
                allowed = rs.getBoolean(1);
                publicCanConnect = rs.getBoolean(2);
            }
            boolean revoke = allowed && publicCanConnect;
            if (revoke) {
                // The database's name is not ours to vet, so the server quotes it.
                statement.execute("DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC',"
                        + " current_database()); END $$");
            } else if (publicCanConnect) {
                LOG.log(Level.INFO, "the admin role does not own the control-plane database, so PUBLIC keeps"
                        + " CONNECT on it; its owner can revoke it (see docs/security.md)");
            }
            connection.commit();
            return revoke;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
