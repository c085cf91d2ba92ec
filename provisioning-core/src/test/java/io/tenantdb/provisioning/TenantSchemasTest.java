package io.tenantdb.provisioning;

import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantSchemasTest {

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final AtomicReference<Optional<String>> target = new AtomicReference<>(Optional.of("2"));
    private final TenantSchemas schemas = new TenantSchemas(fakes.store, target::get);

    @Test
    void versionIsWhatWasRecordedAndEmptyForATenantNeverMigrated() throws SQLException {
        Tenant migrated = fakes.provisioner().provision(new TenantRequest("Acme", Environment.PRODUCTION));
        Tenant untouched = fakes.provisioner().provision(new TenantRequest("Globex", Environment.PRODUCTION));
        fakes.store.recordMigrated(migrated.id(), "2");

        assertThat(schemas.version(migrated.id())).contains("2");
        assertThat(schemas.version(untouched.id())).isEmpty();
    }

    @Test
    void theSummaryAsksForTheTargetEachTime() throws SQLException {
        Tenant tenant = fakes.provisioner().provision(new TenantRequest("Acme", Environment.PRODUCTION));
        fakes.store.recordMigrated(tenant.id(), "2");

        assertThat(schemas.summary(Optional.empty(), 10).current()).isEqualTo(1);
        target.set(Optional.of("3"));
        assertThat(schemas.summary(Optional.empty(), 10).pending()).isEqualTo(1);
    }

    @Test
    void anUnreachableControlPlaneIsDatabaseUnavailableAndABadLimitIsRefused() {
        fakes.store.faults().arm("schemas", new SQLException("gone", "08006"));

        assertThatThrownBy(() -> schemas.summary(Optional.empty(), 10))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
        assertThatThrownBy(() -> schemas.summary(Optional.empty(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
