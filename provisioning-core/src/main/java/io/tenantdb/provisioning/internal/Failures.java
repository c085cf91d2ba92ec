package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.Function;

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
        return call(action, what, e -> SqlFailures.isUnavailable(e) ? ErrorCode.DATABASE_UNAVAILABLE : otherwise);
    }

    /**
     * The one failure path: runs {@code action}; a {@link ProvisioningException} passes through, any other failure
     * is logged (type and SQLState only) and becomes one {@link ProvisioningException} with the code
     * {@code classify} gives, the message "{@code what} failed" and the original as cause.
     */
    static <T> T call(Action<T> action, String what, Function<Exception, ErrorCode> classify) {
        try {
            return action.run();
        } catch (ProvisioningException e) {
            throw e;
        } catch (Exception e) {
            LOG.log(Level.WARNING, "{0} failed: {1}", what, SqlFailures.describe(e));
            throw new ProvisioningException(classify.apply(e), what + " failed", e);
        }
    }

    /** An SPI call that may throw anything; the one throwing lambda of this package. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws Exception;
    }
}
