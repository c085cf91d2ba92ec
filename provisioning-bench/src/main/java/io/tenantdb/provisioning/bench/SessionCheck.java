package io.tenantdb.provisioning.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code pg_stat_activity} for sessions of the application names the example and the bench use
 * ({@code tenantdb-…}), apart from the session asking, counted by {@code application_name} and state.
 */
final class SessionCheck {

    private SessionCheck() {
    }

    /** Counts by {@code "application_name (state)"}; empty when no such session is connected. */
    static Map<String, Integer> sessions(BenchTarget target) throws SQLException {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection connection = target.openAdmin(BenchTarget.BENCH_APPLICATION + "-check");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT application_name, coalesce(state, 'unknown'), count(*)"
                     + " FROM pg_stat_activity WHERE application_name LIKE 'tenantdb-%'"
                     + " AND pid <> pg_backend_pid() GROUP BY 1, 2")) {
            while (rs.next()) {
                counts.put(rs.getString(1) + " (" + rs.getString(2) + ")", rs.getInt(3));
            }
        }
        return counts;
    }
}
