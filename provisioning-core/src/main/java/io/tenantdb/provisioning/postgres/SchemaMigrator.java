package io.tenantdb.provisioning.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the versioned control-plane scripts that a database has not seen yet, in one transaction under an
 * advisory lock, so several instances starting at once apply each script exactly once. A script's version is the
 * number in its name ({@code V9__servers.sql} is version 9), and every listed version missing from
 * {@code schema_version} is applied in order, also one below the highest applied: versions developed side by side
 * (V8 on one branch, V9 on another) reach a database in either order. So no script may depend on another's
 * contents unless it says so and the list keeps them in that order.
 */
final class SchemaMigrator {

    /** In order; a released script is never edited, a change is a new script. */
    static final List<String> SCRIPTS = List.of("V1__control_plane.sql", "V2__leases.sql", "V3__idempotency_keys.sql",
            "V4__tenant_listing.sql", "V5__control_plane_identity.sql", "V6__idempotency_pending_tenant.sql",
            "V7__tenant_schemas.sql", "V8__warm_pool.sql", "V9__servers.sql",
            "V10__warm_pool_server.sql", "V11__warm_pool_target.sql");

    private static final Pattern VERSION = Pattern.compile("V([0-9]+)__[a-z0-9_]+\\.sql");
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
        Set<Integer> present = new HashSet<>(Jdbc.query(connection,
                "SELECT version FROM control_plane.schema_version", Jdbc.values(), rs -> rs.getInt(1)));
        int applied = 0;
        for (String script : SCRIPTS) {
            int version = version(script);
            if (present.contains(version)) {
                continue;
            }
            Jdbc.execute(connection,
                    SqlScriptInitializer.read(SchemaMigrator.class.getClassLoader(), RESOURCE_DIR + script));
            Jdbc.update(connection, "INSERT INTO control_plane.schema_version (version, script) VALUES (?, ?)",
                    Jdbc.values(version, script));
            applied++;
        }
        return applied;
    }

    /** The version a script's name states. */
    static int version(String script) {
        Matcher matcher = VERSION.matcher(script);
        if (!matcher.matches()) {
            throw new IllegalStateException("control-plane script " + script + " is not named V<n>__<name>.sql");
        }
        return Integer.parseInt(matcher.group(1));
    }
}
