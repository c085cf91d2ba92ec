package io.tenantdb.provisioning.postgres;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries a JDBC action on transient PostgreSQL errors, up to {@value #ATTEMPTS} attempts with jittered exponential
 * backoff (50, 100 ms …). Errors after which the server guarantees the action had no effect — object in use
 * (55006, e.g. a template being copied), serialization failure and deadlock (40001, 40P01) — are always retried.
 * A dropped or refused connection (class 08) leaves the outcome unknown, so it is retried only for idempotent actions.
 */
final class TransientRetry {

    static final int ATTEMPTS = 3;
    private static final long BASE_BACKOFF_MILLIS = 50;
    private static final Set<String> TRANSIENT_STATES = Set.of("55006", "40001", "40P01");

    private TransientRetry() {
    }

    /** Retries an action that had no effect when it failed transiently; not after a lost connection. */
    static <T> T call(Action<T> action) throws SQLException {
        return call(action, false);
    }

    /** Retries an action that may safely run twice, also after a lost connection. */
    static void runIdempotent(VoidAction action) throws SQLException {
        call(() -> {
            action.run();
            return null;
        }, true);
    }

    private static <T> T call(Action<T> action, boolean idempotent) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return action.run();
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS || !isTransient(e, idempotent)) {
                    throw e;
                }
                sleep(attempt);
            }
        }
    }

    /** Retries an action that had no effect when it failed transiently; not after a lost connection. */
    static void run(VoidAction action) throws SQLException {
        call(() -> {
            action.run();
            return null;
        }, false);
    }

    static boolean isTransient(SQLException e, boolean idempotent) {
        String state = e.getSQLState();
        return state != null && (TRANSIENT_STATES.contains(state) || idempotent && state.startsWith("08"));
    }

    private static void sleep(int attempt) throws SQLException {
        long backoff = BASE_BACKOFF_MILLIS << (attempt - 1);
        try {
            Thread.sleep(backoff + ThreadLocalRandom.current().nextLong(backoff));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to retry", "57014", e);
        }
    }

    @FunctionalInterface
    interface Action<T> {
        T run() throws SQLException;
    }

    @FunctionalInterface
    interface VoidAction {
        void run() throws SQLException;
    }
}
