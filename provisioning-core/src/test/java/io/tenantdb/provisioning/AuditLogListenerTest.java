package io.tenantdb.provisioning;

import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningEvent.Kind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogListenerTest {

    private final UUID id = UUID.randomUUID();

    @Test
    void aDuplicateNameIsARefusalWithoutTheTenantIdTheClientNeverSaw() {
        ProvisioningEvent duplicate = new ProvisioningEvent(Kind.FAILED, id, Optional.of("reserve"),
                Duration.ofMillis(3), Optional.of(ErrorCode.DUPLICATE_TENANT), Optional.of(Environment.PRODUCTION));

        assertThat(AuditLogListener.refusedDuplicate(duplicate)).isTrue();
        assertThat(AuditLogListener.line(duplicate)).isEqualTo("event=refused duration_ms=3 error=duplicate_tenant")
                .doesNotContain(id.toString());
    }

    @Test
    void anyOtherFailureKeepsItsTenantId() {
        ProvisioningEvent failed = new ProvisioningEvent(Kind.FAILED, id, Optional.empty(), Duration.ofMillis(12),
                Optional.of(ErrorCode.VERIFY_FAILED), Optional.of(Environment.PRODUCTION));

        assertThat(AuditLogListener.refusedDuplicate(failed)).isFalse();
        assertThat(AuditLogListener.line(failed)).isEqualTo("event=failed tenant_id=" + id
                + " duration_ms=12 error=verify_failed");
    }
}
