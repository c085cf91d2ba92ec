package io.tenantdb.provisioning.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningListener;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ProvisioningListener} that records the tenant lifecycle in a Micrometer {@link MeterRegistry}:
 * <ul>
 *   <li>{@value #PROVISIONING}: a timer of whole provisionings with a percentile histogram, tagged {@code outcome}
 *       ({@code succeeded}, {@code failed}), {@code error} (the {@link ErrorCode} in lower case, {@code none}
 *       on success) and {@code environment} (the tenant's {@link Environment}, by its wire name);</li>
 *   <li>{@value #STEP}: a timer of each completed provisioning step, tagged {@code step};</li>
 *   <li>{@value #DEPROVISIONS} and {@value #ROTATIONS}: counters of deprovisioned tenants and rotated
 *       credentials;</li>
 *   <li>{@value #FAILURES}: a counter of failed deprovisions and rotations, tagged {@code error}.</li>
 * </ul>
 * A tenant id or name is never a tag: every tag takes its values from a closed set.
 *
 * <p>Thread-safe, as the listener contract requires. It remembers the ids of provisionings in progress (to tell a
 * failed provisioning from a failed rotation, which the event does not say), one entry per provisioning that has
 * started and not yet ended.
 */
public final class ProvisioningMetrics implements ProvisioningListener {

    /** The timer of whole provisionings. */
    public static final String PROVISIONING = "tenantdb.provisioning";
    /** The timer of provisioning steps. */
    public static final String STEP = "tenantdb.provisioning.step";
    /** The counter of deprovisioned tenants. */
    public static final String DEPROVISIONS = "tenantdb.deprovisions";
    /** The counter of credential rotations. */
    public static final String ROTATIONS = "tenantdb.credential.rotations";
    /** The counter of failed operations other than provisioning (deprovision, rotation). */
    public static final String FAILURES = "tenantdb.operation.failures";

    private final MeterRegistry registry;
    private final Counter deprovisions;
    private final Counter rotations;
    private final Set<UUID> inProgress = ConcurrentHashMap.newKeySet();

    /**
     * @param registry where the meters are registered
     * @throws NullPointerException when {@code registry} is null
     */
    public ProvisioningMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.deprovisions = Counter.builder(DEPROVISIONS).description("Tenants deprovisioned").register(registry);
        this.rotations = Counter.builder(ROTATIONS).description("Tenant credentials rotated").register(registry);
        // Registered up front, so a scrape shows the series before the first tenant is provisioned.
        for (Environment environment : Environment.values()) {
            provisioningTimer("succeeded", "none", environment.wireName());
        }
    }

    @Override
    public void onEvent(ProvisioningEvent event) {
        Objects.requireNonNull(event, "event");
        switch (event.kind()) {
            case STARTED -> inProgress.add(event.tenantId());
            case STEP_FINISHED -> event.step().ifPresent(step -> Timer.builder(STEP)
                    .description("Duration of one provisioning step")
                    .tag("step", step)
                    .register(registry)
                    .record(event.elapsed()));
            case SUCCEEDED -> {
                inProgress.remove(event.tenantId());
                provisioningTimer("succeeded", "none", environment(event)).record(event.elapsed());
            }
            case FAILED -> {
                String error = event.error().map(ProvisioningMetrics::tagValue).orElse("unknown");
                if (inProgress.remove(event.tenantId())) {
                    provisioningTimer("failed", error, environment(event)).record(event.elapsed());
                } else {
                    Counter.builder(FAILURES).description("Failed deprovisions and credential rotations")
                            .tag("error", error).register(registry).increment();
                }
            }
            case DEPROVISIONED -> deprovisions.increment();
            case CREDENTIALS_ROTATED -> rotations.increment();
            default -> throw new IllegalStateException("unknown event kind " + event.kind());
        }
    }

    private Timer provisioningTimer(String outcome, String error, String environment) {
        return Timer.builder(PROVISIONING)
                .description("Duration of tenant provisioning, from the request to an active tenant or a failure")
                .tag("outcome", outcome)
                .tag("error", error)
                .tag("environment", environment)
                .publishPercentileHistogram()
                .register(registry);
    }

    // The saga names the environment on every provisioning event; "unknown" only for a host's own events without.
    private static String environment(ProvisioningEvent event) {
        return event.environment().map(Environment::wireName).orElse("unknown");
    }

    private static String tagValue(ErrorCode code) {
        return code.name().toLowerCase(Locale.ROOT);
    }
}
