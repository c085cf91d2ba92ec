package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.SchemaVersionStore.FleetSchemas;
import io.tenantdb.provisioning.spi.SchemaVersionStore.TenantSchema;
import io.tenantdb.provisioning.spi.SchemaVersionStore.VersionCount;
import io.tenantdb.provisioning.spi.TenantStore.StoredDatabase;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The schema versions {@link JdbcTenantStore} records per tenant, and its summary of the fleet. */
@ExtendWith(PostgresExtension.class)
class SchemaVersionStoreTest {

    private TestDatabase database;
    private JdbcTenantStore store;

    @BeforeEach
    void setUp(TestDatabase database) throws SQLException {
        this.database = database;
        this.store = new JdbcTenantStore(database.dataSource());
        store.migrate();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void aFailureKeepsTheVersionAndTheNextSuccessClearsIt() throws SQLException {
        UUID id = activeTenant();

        store.recordMigrated(id, "1");
        store.recordFailure(id, "2", "42P01");
        TenantSchema failed = store.schemas(List.of(id)).get(id);
        store.recordMigrated(id, "2");
        TenantSchema migrated = store.schemas(List.of(id)).get(id);

        assertThat(failed.version()).contains("1");
        assertThat(failed.failedVersion()).contains("2");
        assertThat(failed.failureCode()).contains("42P01");
        assertThat(failed.failedAt()).isPresent();
        assertThat(migrated.version()).contains("2");
        assertThat(migrated.migratedAt()).isPresent();
        assertThat(migrated.failureCode()).isEmpty();
        assertThat(migrated.failedVersion()).isEmpty();
        assertThat(migrated.isAt("2")).isTrue();
    }

    @Test
    void aTenantNeverMigratedHasNoEntryAndAnUnknownTenantCannotBeRecorded() throws SQLException {
        UUID id = activeTenant();

        assertThat(store.schemas(List.of(id, UUID.randomUUID()))).isEmpty();
        assertThatThrownBy(() -> store.recordMigrated(UUID.randomUUID(), "1"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23503"));
    }

    @Test
    void releasingATenantRemovesItsRecordedVersion() throws SQLException {
        Tenant tenant = tenant();
        store.reserve(tenant);
        store.recordMigrated(tenant.id(), "3");

        store.release(tenant.id());

        assertThat(store.schemas(List.of(tenant.id()))).isEmpty();
    }

    @Test
    void theSummaryCountsActiveTenantsPerVersionAndStateAndPagesTheFailedOnes() throws SQLException {
        List<UUID> current = IntStream.range(0, 3).mapToObj(i -> activeTenant()).collect(Collectors.toList());
        UUID behind = activeTenant();
        UUID neverMigrated = activeTenant();
        List<UUID> failed = IntStream.range(0, 3).mapToObj(i -> activeTenant()).collect(Collectors.toList());
        UUID deleted = activeTenant();
        for (UUID id : current) {
            store.recordMigrated(id, "2");
        }
        store.recordMigrated(behind, "1");
        for (UUID id : failed) {
            store.recordMigrated(id, "1");
            store.recordFailure(id, "2", "23505");
        }
        store.recordFailure(deleted, "2", "42601");
        store.beginDeletion(deleted);
        store.finishDeletion(deleted);

        FleetSchemas first = store.summarize(Optional.of("2"), Optional.empty(), 2);
        FleetSchemas second = store.summarize(Optional.of("2"), first.nextFailedAfter(), 2);

        assertThat(first.targetVersion()).contains("2");
        assertThat(first.versions()).containsExactly(new VersionCount(Optional.empty(), 1),
                new VersionCount(Optional.of("1"), 4), new VersionCount(Optional.of("2"), 3));
        assertThat(first.current()).isEqualTo(3);
        assertThat(first.pending()).isEqualTo(2);
        assertThat(first.failed()).isEqualTo(3);
        List<UUID> failedInOrder = failed.stream().sorted(Comparator.comparing(UUID::toString))
                .collect(Collectors.toList());
        assertThat(first.failedTenants()).containsExactlyElementsOf(failedInOrder.subList(0, 2));
        assertThat(second.failedTenants()).containsExactly(failedInOrder.get(2));
        assertThat(second.nextFailedAfter()).isEmpty();
    }

    @Test
    void withoutATargetEveryTenantWithoutAFailureIsCurrent() throws SQLException {
        store.recordMigrated(activeTenant(), "1");
        activeTenant();

        FleetSchemas summary = store.summarize(Optional.empty(), Optional.empty(), 10);

        assertThat(summary.current()).isEqualTo(2);
        assertThat(summary.pending()).isZero();
        assertThat(summary.failed()).isZero();
    }

    private UUID activeTenant() {
        try {
            Tenant tenant = tenant();
            store.reserve(tenant);
            store.activate(tenant.id(), new StoredDatabase(tenant.databaseName(), tenant.databaseName(), "sealed",
                    "0a0b0c0d"));
            return tenant.id();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static Tenant tenant() {
        UUID id = UUID.randomUUID();
        return new Tenant(id, "tenant " + id, Environment.PRODUCTION, TenantStatus.PROVISIONING,
                "car_" + id.toString().replace('-', '_'), Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
