package io.tenantdb.provisioning;

import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningListener;

import java.util.Locale;

/**
 * Logs each lifecycle event as one structured {@code key=value} line on logger {@code tenantdb.audit}, for
 * metrics and audit pipelines. Events hold ids, steps, durations and error codes only, so nothing secret is logged.
 * Failures are WARNING, except a duplicate name (a 409), which is INFO and carries no tenant id; finished steps are
 * DEBUG. Register it with {@link TenantProvisioner.Builder#listener}. Stateless and thread-safe.
 */
public final class AuditLogListener implements ProvisioningListener {

    /** A listener logging on {@code tenantdb.audit}. */
    public AuditLogListener() {
    }

    private static final System.Logger AUDIT = System.getLogger("tenantdb.audit");

    @Override
    public void onEvent(ProvisioningEvent event) {
        System.Logger.Level level = event.kind() == ProvisioningEvent.Kind.FAILED && !refusedDuplicate(event)
                ? System.Logger.Level.WARNING : System.Logger.Level.INFO;
        if (event.kind() == ProvisioningEvent.Kind.STEP_FINISHED) {
            level = System.Logger.Level.DEBUG;
        }
        if (!AUDIT.isLoggable(level)) {
            return;
        }
        AUDIT.log(level, line(event));
    }

    /**
     * A name already taken: the client's mistake, answered 409, not a failure of the system. Its tenant id was
     * drawn for a tenant that never existed and that the client never sees, so it is left out.
     */
    static boolean refusedDuplicate(ProvisioningEvent event) {
        return event.kind() == ProvisioningEvent.Kind.FAILED
                && event.error().filter(code -> code == ErrorCode.DUPLICATE_TENANT).isPresent();
    }

    static String line(ProvisioningEvent event) {
        if (refusedDuplicate(event)) {
            return "event=refused duration_ms=" + event.elapsed().toMillis() + " error=duplicate_tenant";
        }
        StringBuilder line = new StringBuilder("event=").append(event.kind().name().toLowerCase(Locale.ROOT))
                .append(" tenant_id=").append(event.tenantId());
        event.step().ifPresent(step -> line.append(" step=").append(step));
        line.append(" duration_ms=").append(event.elapsed().toMillis());
        event.error().ifPresent(error -> line.append(" error=").append(error.name().toLowerCase(Locale.ROOT)));
        return line.toString();
    }
}
