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
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLException sql
                            && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return isRefusingSessions(failure);
    }

    /**
     * True when the server answered but admits no new session for now: too many connections (53300), shutting
     * down or starting up (57P01–57P03). Unlike a failed connection, this never means a wrong endpoint, a TLS
     * mismatch or bad credentials.
     */
    static boolean isRefusingSessions(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("57P0") || sql.getSQLState().equals("53300"))) {
                return true;
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
