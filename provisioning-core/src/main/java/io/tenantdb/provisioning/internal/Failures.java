package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/** Wraps control-plane calls: an SPI exception becomes one {@link ProvisioningException}, its message never kept. */
public final class Failures {

    private static final Logger LOG = System.getLogger(Failures.class.getName());

    private Failures() {
    }

    /**
     * Runs {@code action}; a failure becomes {@link ErrorCode#DATABASE_UNAVAILABLE} when PostgreSQL is unreachable,
     * else {@link ErrorCode#STORE_FAILED}, with the message "{@code what} failed" and the original as cause.
     */
    public static <T> T call(Action<T> action, String what) {
        return call(action, what, ErrorCode.STORE_FAILED);
    }

    /** As {@link #call(Action, String)}, with {@code otherwise} for failures other than an unreachable server. */
    public static <T> T call(Action<T> action, String what, ErrorCode otherwise) {
        try {
            return action.run();
        } catch (ProvisioningException e) {
            throw e;
        } catch (Exception e) {
            ErrorCode code = SqlFailures.isUnavailable(e) ? ErrorCode.DATABASE_UNAVAILABLE : otherwise;
            LOG.log(Level.WARNING, "{0} failed: {1}", what, SqlFailures.describe(e));
            throw new ProvisioningException(code, what + " failed", e);
        }
    }

    /** An SPI call that may throw anything. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws Exception;
    }
}
