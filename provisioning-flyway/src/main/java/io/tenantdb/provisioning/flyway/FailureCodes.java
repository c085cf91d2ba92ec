package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.ProvisioningException;
import org.flywaydb.core.api.FlywayException;

import java.sql.SQLException;

/** The error code recorded for a failure: never its message, which may quote SQL and the data in it. */
final class FailureCodes {

    private FailureCodes() {
    }

    /**
     * The SQLState of the first SQL exception in the cause chain; else Flyway's error code ({@code flyway:…}) or
     * the provisioning code; else the exception's simple class name.
     */
    static String of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        if (failure instanceof FlywayException flyway && flyway.getErrorCode() != null) {
            return "flyway:" + flyway.getErrorCode();
        }
        if (failure instanceof ProvisioningException provisioning) {
            return provisioning.code().name();
        }
        return failure.getClass().getSimpleName();
    }
}
