package io.tenantdb.provisioning.micrometer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tenantdb.provisioning.TenantStatus;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class TenantStatusMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void oneGaugePerStatusWithTheCountsAndZeroForAStatusLeftOut() {
        new TenantStatusMetrics(() -> Map.of(TenantStatus.ACTIVE, 7L, TenantStatus.DELETED, 2L)).bindTo(registry);

        assertThat(registry.get(TenantStatusMetrics.TENANTS).gauges()).hasSize(TenantStatus.values().length);
        assertThat(gauge("active")).isEqualTo(7);
        assertThat(gauge("deleted")).isEqualTo(2);
        assertThat(gauge("provisioning")).isZero();
    }

    @Test
    void countsAreReadOncePerIntervalNotOncePerGauge() {
        AtomicInteger reads = new AtomicInteger();
        new TenantStatusMetrics(() -> {
            reads.incrementAndGet();
            return Map.of(TenantStatus.ACTIVE, 1L);
        }, Duration.ofHours(1)).bindTo(registry);

        for (int scrape = 0; scrape < 3; scrape++) {
            for (TenantStatus status : TenantStatus.values()) {
                gauge(status.wireName());
            }
        }

        assertThat(reads).hasValue(1);
    }

    @Test
    void aFailedReadKeepsTheLastCounts() {
        AtomicInteger reads = new AtomicInteger();
        new TenantStatusMetrics(() -> {
            if (reads.incrementAndGet() > 1) {
                throw new SQLException("control plane down", "08006");
            }
            return Map.of(TenantStatus.ACTIVE, 4L);
        }, Duration.ZERO).bindTo(registry);

        assertThat(gauge("active")).isEqualTo(4);
        assertThat(gauge("active")).isEqualTo(4);
        assertThat(reads).hasValue(2);
    }

    @Test
    void refusesBadArguments() {
        assertThatNullPointerException().isThrownBy(() -> new TenantStatusMetrics(null)).withMessage("counts");
        assertThatIllegalArgumentException().isThrownBy(() -> new TenantStatusMetrics(Map::of, Duration.ofSeconds(-1)));
    }

    private double gauge(String status) {
        return registry.get(TenantStatusMetrics.TENANTS).tag("status", status).gauge().value();
    }
}
