package io.tenantdb.provisioning.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tenantdb.provisioning.TenantStatus;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Gauges of the control plane's tenants by status: {@value #TENANTS} tagged {@code status} (its wire name, one
 * series per {@link TenantStatus}). The counts come from a {@link TenantCounts}, e.g.
 * {@code store::countByStatus} of a {@code JdbcTenantStore}, read at most once per refresh interval (default 30 s)
 * by the scrape that finds them stale; other scrapes see the last counts. A failed read keeps the last counts and
 * is logged (its class only). Never a tenant id.
 *
 * <p>Thread-safe.
 */
public final class TenantStatusMetrics implements MeterBinder {

    /** The gauge of tenants by status. */
    public static final String TENANTS = "tenantdb.tenants";

    private static final System.Logger LOG = System.getLogger(TenantStatusMetrics.class.getName());

    /** Reads the number of tenants in each status. */
    @FunctionalInterface
    public interface TenantCounts {
        /**
         * @return the count of each status; a status left out counts 0
         * @throws Exception when the control plane cannot be read
         */
        Map<TenantStatus, Long> countByStatus() throws Exception;
    }

    private final TenantCounts counts;
    private final long refreshNanos;
    private Map<TenantStatus, Long> last = Map.of();
    private long readAt;
    private boolean read;

    /**
     * Counts read at most every 30 seconds.
     *
     * @throws NullPointerException when {@code counts} is null
     */
    public TenantStatusMetrics(TenantCounts counts) {
        this(counts, Duration.ofSeconds(30));
    }

    /**
     * @param refresh how long counts are reused; {@link Duration#ZERO} reads them at every scrape
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when {@code refresh} is negative
     */
    public TenantStatusMetrics(TenantCounts counts, Duration refresh) {
        this.counts = Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(refresh, "refresh");
        if (refresh.isNegative()) {
            throw new IllegalArgumentException("refresh must not be negative");
        }
        this.refreshNanos = refresh.toNanos();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (TenantStatus status : TenantStatus.values()) {
            Gauge.builder(TENANTS, this, metrics -> metrics.count(status))
                    .description("Tenants in the control plane by status")
                    .tag("status", status.wireName())
                    .strongReference(true)
                    .register(registry);
        }
    }

    private synchronized double count(TenantStatus status) {
        long now = System.nanoTime();
        if (!read || now - readAt >= refreshNanos) {
            try {
                last = Map.copyOf(counts.countByStatus());
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "tenant counts could not be read: {0}",
                        e.getClass().getSimpleName());
            }
            // A failure waits for the next interval too: a scrape never hammers a failing control plane.
            readAt = now;
            read = true;
        }
        return last.getOrDefault(status, 0L);
    }
}
