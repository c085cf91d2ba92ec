package io.tenantdb.provisioning.flyway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlywayMigrationsTest {

    @TempDir
    Path temp;

    @Test
    void theLatestVersionComparesVersionsNumerically() throws Exception {
        Path directory = Fleet.migrations(temp, "m", Map.of("V1__a.sql", "", "V9__b.sql", "", "V10__c.sql", "",
                "V2_1__d.sql", "", "R__views.sql", ""));

        assertThat(FlywayMigrations.fromDirectory(directory).latestVersion()).contains("10");
    }

    @Test
    void aDirectoryWithoutVersionedMigrationsHasNoTarget() throws Exception {
        Path directory = Fleet.migrations(temp, "m", Map.of("R__views.sql", ""));

        assertThat(FlywayMigrations.fromDirectory(directory).latestVersion()).isEmpty();
    }

    @Test
    void aMissingDirectoryIsRefused() {
        assertThatThrownBy(() -> FlywayMigrations.fromDirectory(temp.resolve("absent")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a directory");
    }

    @Test
    void aBadlyNamedFileIsRefusedByNameEvenWhenAddedLater() throws Exception {
        Path directory = Fleet.migrations(temp, "m", Map.of("V1__a.sql", "CREATE TABLE secret_name (id int);"));
        FlywayMigrations migrations = FlywayMigrations.fromDirectory(directory);
        Files.writeString(directory.resolve("V2_items.sql"), "");

        assertThatThrownBy(migrations::latestVersion).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("V2_items.sql in")
                .hasMessageContaining("is not named V<version>__<description>.sql")
                .hasMessageNotContaining("secret_name");
        assertThatThrownBy(() -> FlywayMigrations.fromDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void twoFilesOfTheSameVersionAreRefused() throws Exception {
        Path directory = Fleet.migrations(temp, "m", Map.of("V1__a.sql", "", "V1_0__b.sql", ""));

        assertThatThrownBy(() -> FlywayMigrations.fromDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("have the same version");
    }

    @Test
    void aFleetRunRefusesParallelismOutOfRangeAndANegativeCanary() {
        assertThatThrownBy(() -> new FleetRun(0, 0, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FleetRun(65, 0, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FleetRun(1, -1, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
