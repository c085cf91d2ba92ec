package io.tenantdb.provisioning.internal;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** Classifies exceptions from the SPI without ever reading their messages. */
final class SqlFailures {

    private SqlFailures() {
    }

    /**
     * True when PostgreSQL could not be reached or is refusing sessions: connection exceptions (class 08),
     * shutdown and recovery (57P01–57P03) and too many connections (53300).
     */
    static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P0") || state.equals("53300")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Describes a failure for a log line: its type and SQLState only, never its message. */
    static String describe(Throwable failure) {
        String state = failure instanceof SQLException sql && sql.getSQLState() != null
                ? " sqlstate=" + sql.getSQLState() : "";
        return failure.getClass().getSimpleName() + state;
    }
}
