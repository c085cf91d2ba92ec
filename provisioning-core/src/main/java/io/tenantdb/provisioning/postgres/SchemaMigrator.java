package io.tenantdb.provisioning.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Applies the versioned control-plane scripts that a database has not seen yet, in one transaction under an
 * advisory lock, so several instances starting at once apply each script exactly once.
 */
final class SchemaMigrator {

    /** In order; a released script is never edited, a change is a new script. */
    static final List<String> SCRIPTS = List.of("V1__control_plane.sql", "V2__leases.sql", "V3__idempotency_keys.sql",
            "V4__tenant_listing.sql", "V5__control_plane_identity.sql", "V6__idempotency_pending_tenant.sql",
            "V7__tenant_schemas.sql", "V8__warm_pool.sql");

    private static final String RESOURCE_DIR = "io/tenantdb/provisioning/postgres/schema/";
    // An arbitrary constant that names this lock among the host's own advisory locks.
    static final long LOCK_KEY = 0x74656e616e746462L;

    private SchemaMigrator() {
    }

    /**
     * Runs inside the caller's transaction ({@link Jdbc#inTransaction}), so a failing script applies nothing.
     *
     * @return how many scripts were applied now
     */
    static int migrate(Connection connection) throws SQLException {
        Jdbc.execute(connection, "SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
        Jdbc.execute(connection, """
                CREATE SCHEMA IF NOT EXISTS control_plane;
                CREATE TABLE IF NOT EXISTS control_plane.schema_version (
                    version    integer     PRIMARY KEY,
                    script     text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """);
        int current = Jdbc.query(connection, "SELECT coalesce(max(version), 0) FROM control_plane.schema_version",
                Jdbc.values(), rs -> rs.getInt(1)).get(0);
        int applied = 0;
        for (int version = current + 1; version <= SCRIPTS.size(); version++) {
            String script = SCRIPTS.get(version - 1);
            Jdbc.execute(connection,
                    SqlScriptInitializer.read(SchemaMigrator.class.getClassLoader(), RESOURCE_DIR + script));
            Jdbc.update(connection, "INSERT INTO control_plane.schema_version (version, script) VALUES (?, ?)",
                    Jdbc.values(version, script));
            applied++;
        }
        return applied;
    }
}
