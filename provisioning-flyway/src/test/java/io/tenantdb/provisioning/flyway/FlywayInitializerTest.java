package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class FlywayInitializerTest {

    @TempDir
    Path temp;
    private Fleet fleet;

    @BeforeEach
    void setUp(TestPostgres postgres) throws Exception {
        fleet = new Fleet(postgres);
    }

    @AfterEach
    void tearDown() throws Exception {
        fleet.close();
    }

    @Test
    void aNewTenantGetsTheLatestMigrationsOwnedByItsOwnRoleAndItsVersionRecorded() throws Exception {
        Path directory = Fleet.migrations(temp, "m", Map.of(
                "V1__items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);"));
        TenantProvisioner provisioner = provisionerOver(directory);

        Tenant first = provisioner.provision(new TenantRequest("First", Environment.PRODUCTION));
        // Read at each provisioning: a file added meanwhile applies to the next tenant, without a restart.
        Files.writeString(directory.resolve("V2__item_price.sql"), "ALTER TABLE items ADD COLUMN price numeric;");
        Tenant second = provisioner.provision(new TenantRequest("Second", Environment.PRODUCTION));

        assertThat(Sql.strings(fleet.tenantDatabase(second),
                "SELECT tableowner FROM pg_tables WHERE tablename = 'items'")).containsExactly(second.databaseName());
        assertThat(Sql.strings(fleet.tenantDatabase(second),
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'items' ORDER BY 1"))
                .containsExactly("id", "name", "price");
        assertThat(fleet.store.schemas(List.of(first.id())).get(first.id()).version()).contains("1");
        assertThat(fleet.store.schemas(List.of(second.id())).get(second.id()).version()).contains("2");
    }

    @Test
    void aFailingMigrationFailsTheProvisioningAndLeavesNothingBehind() throws Exception {
        Path directory = Fleet.migrations(temp, "m", Map.of(
                "V1__items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);",
                "V2__broken.sql", "INSERT INTO missing_table VALUES ('card 4111');"));

        assertThatThrownBy(() -> provisionerOver(directory).provision(
                new TenantRequest("Broken", Environment.PRODUCTION)))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INITIALIZE_FAILED));

        assertThat(fleet.databasesWithPrefix()).isEmpty();
        assertThat(fleet.rolesWithPrefix()).isEmpty();
        assertThat(Sql.strings(fleet.postgres.dataSource(fleet.controlDatabase),
                "SELECT count(*) FROM control_plane.tenants")).containsExactly("0");
    }

    private TenantProvisioner provisionerOver(Path directory) {
        return fleet.provisioner(new FlywayInitializer(FlywayMigrations.fromDirectory(directory), fleet.connector,
                fleet.store));
    }
}
