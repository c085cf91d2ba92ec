package io.tenantdb.provisioning.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningEvent.Kind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class ProvisioningMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProvisioningMetrics metrics = new ProvisioningMetrics(registry);

    @Test
    void countsProvisioningsPerOutcomeErrorCodeAndEnvironment() {
        provision(UUID.randomUUID(), null);
        provision(UUID.randomUUID(), null);
        provision(UUID.randomUUID(), ErrorCode.VERIFY_FAILED);
        metrics.onEvent(event(Kind.SUCCEEDED, UUID.randomUUID(), null, 20, null, Environment.STAGING));

        assertThat(registry.get(ProvisioningMetrics.PROVISIONING)
                .tags("outcome", "succeeded", "error", "none", "environment", "production").timer().count())
                .isEqualTo(2);
        assertThat(registry.get(ProvisioningMetrics.PROVISIONING)
                .tags("outcome", "failed", "error", "verify_failed", "environment", "production").timer().count())
                .isEqualTo(1);
        assertThat(registry.get(ProvisioningMetrics.PROVISIONING)
                .tags("outcome", "succeeded", "environment", "staging").timer().count()).isEqualTo(1);
        // One series per environment from the start, and the failure's.
        assertThat(registry.get(ProvisioningMetrics.PROVISIONING).timers()).hasSize(4);
    }

    @Test
    void recordsTheDurationOfEachStepUnderItsName() {
        UUID id = UUID.randomUUID();
        metrics.onEvent(event(Kind.STARTED, id, null, 0, null));
        metrics.onEvent(event(Kind.STEP_FINISHED, id, "create", 40, null));
        metrics.onEvent(event(Kind.STEP_FINISHED, id, "verify", 5, null));

        assertThat(registry.get(ProvisioningMetrics.STEP).tag("step", "create").timer().totalTime(
                java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(registry.get(ProvisioningMetrics.STEP).tag("step", "verify").timer().count()).isEqualTo(1);
    }

    @Test
    void countsDeprovisionsAndRotationsAndTheirFailuresApartFromProvisioning() {
        UUID id = UUID.randomUUID();
        metrics.onEvent(event(Kind.DEPROVISIONED, id, null, 3, null));
        metrics.onEvent(event(Kind.CREDENTIALS_ROTATED, id, null, 3, null));
        metrics.onEvent(event(Kind.CREDENTIALS_ROTATED, id, null, 3, null));
        metrics.onEvent(event(Kind.FAILED, id, null, 3, ErrorCode.DATABASE_UNAVAILABLE));

        assertThat(registry.get(ProvisioningMetrics.DEPROVISIONS).counter().count()).isEqualTo(1);
        assertThat(registry.get(ProvisioningMetrics.ROTATIONS).counter().count()).isEqualTo(2);
        assertThat(registry.get(ProvisioningMetrics.FAILURES).tag("error", "database_unavailable").counter().count())
                .isEqualTo(1);
        assertThat(registry.find(ProvisioningMetrics.PROVISIONING).tag("outcome", "failed").timer()).isNull();
    }

    @Test
    void neverTagsAMeterWithATenantId() {
        UUID ok = UUID.randomUUID();
        UUID failed = UUID.randomUUID();
        provision(ok, null);
        provision(failed, ErrorCode.CREATE_FAILED);
        metrics.onEvent(event(Kind.DEPROVISIONED, ok, null, 1, null));
        metrics.onEvent(event(Kind.CREDENTIALS_ROTATED, ok, null, 1, null));
        metrics.onEvent(event(Kind.FAILED, ok, null, 1, ErrorCode.CRYPTO_FAILED));

        List<String> tagValues = registry.getMeters().stream().map(Meter::getId)
                .flatMap(id -> id.getTags().stream()).map(Tag::getValue).toList();
        assertThat(tagValues).isNotEmpty().doesNotContain(ok.toString(), failed.toString());
        assertThat(tagValues).noneMatch(value -> value.matches(".*[0-9a-f]{8}-[0-9a-f]{4}-.*"));
    }

    @Test
    void refusesANullRegistry() {
        assertThatNullPointerException().isThrownBy(() -> new ProvisioningMetrics(null)).withMessage("registry");
    }

    private void provision(UUID id, ErrorCode failure) {
        metrics.onEvent(event(Kind.STARTED, id, null, 0, null));
        metrics.onEvent(event(Kind.STEP_FINISHED, id, "reserve", 2, null));
        metrics.onEvent(failure == null
                ? event(Kind.SUCCEEDED, id, null, 20, null)
                : event(Kind.FAILED, id, null, 20, failure));
    }

    private static ProvisioningEvent event(Kind kind, UUID id, String step, long millis, ErrorCode error) {
        return event(kind, id, step, millis, error, kind == Kind.STEP_FINISHED ? null : Environment.PRODUCTION);
    }

    private static ProvisioningEvent event(Kind kind, UUID id, String step, long millis, ErrorCode error,
                                           Environment environment) {
        return new ProvisioningEvent(kind, id, Optional.ofNullable(step), Duration.ofMillis(millis),
                Optional.ofNullable(error), Optional.ofNullable(environment));
    }
}
