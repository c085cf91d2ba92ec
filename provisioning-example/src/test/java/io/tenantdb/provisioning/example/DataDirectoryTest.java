package io.tenantdb.provisioning.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class DataDirectoryTest {

    @TempDir
    Path temp;

    @Test
    void createsTheDirectoryOwnerOnly() throws Exception {
        DataDirectory directory = DataDirectory.open(temp.resolve("nested/data"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.root())))
                .isEqualTo("rwx------");
    }

    @Test
    void tightensAnExistingDirectory() throws Exception {
        Path existing = Files.createDirectory(temp.resolve("loose"));
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxr-xr-x"));

        DataDirectory.open(existing);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(existing))).isEqualTo("rwx------");
    }

    @Test
    void generatesAValueOnceOwnerOnlyAndReusesItAfterReopening() throws Exception {
        AtomicInteger generated = new AtomicInteger();
        DataDirectory first = DataDirectory.open(temp);
        String value = first.valueOf("admin.token", () -> "value-" + generated.incrementAndGet());

        String again = DataDirectory.open(temp).valueOf("admin.token", () -> "value-" + generated.incrementAndGet());

        assertThat(value).isEqualTo("value-1").isEqualTo(again);
        assertThat(generated).hasValue(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("admin.token"))))
                .isEqualTo("rw-------");
        try (var files = Files.list(temp)) {
            assertThat(files).as("no temporary file left").containsExactly(temp.resolve("admin.token"));
        }
    }

    @Test
    void randomSecretsAreDistinctAndKeysDecodeToThirtyTwoBytes() throws Exception {
        DataDirectory directory = DataDirectory.open(temp);

        assertThat(directory.randomSecret(32)).hasSize(43).isNotEqualTo(directory.randomSecret(32));
        assertThat(java.util.Base64.getDecoder().decode(directory.randomKey())).hasSize(32);
    }
}
