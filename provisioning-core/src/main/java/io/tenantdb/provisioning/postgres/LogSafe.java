package io.tenantdb.provisioning.postgres;

import java.sql.SQLException;

/** Describes failures for log lines and reports without the server's message text, which may quote data. */
final class LogSafe {

    private LogSafe() {
    }

    /** The exception's type and SQLState only. */
    static String describe(Exception failure) {
        String state = failure instanceof SQLException sql && sql.getSQLState() != null
                ? " sqlstate=" + sql.getSQLState() : "";
        return failure.getClass().getSimpleName() + state;
    }
}
