package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.internal.ConnectionStringSealer;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.tenantdb.provisioning.example.ExampleTesting.post;
import static io.tenantdb.provisioning.example.ExampleTesting.send;
import static io.tenantdb.provisioning.example.ExampleTesting.tenantId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Runs the BUILT fat jar with {@code java -jar} in a child process, in the zero-setup embedded mode, as a new user
 * would: provisions a tenant over HTTP, stops it with SIGTERM, starts it again on the same data directory and
 * reads the tenant back.
 */
class ExampleJarIT {

    @TempDir
    Path temp;

    @Test
    void embeddedModeProvisionsATenantThatSurvivesARestart() throws Exception {
        Path dataDirectory = temp.resolve("data");
        String tenantId;
        String created;
        String firstToken;
        Process first = ExampleJar.start(dataDirectory, temp.resolve("first.log"));
        try {
            ExampleJar.Started started = ExampleJar.awaitStarted(first);
            firstToken = Files.readString(dataDirectory.resolve(DataDirectory.ADMIN_TOKEN_FILE)).strip();
            assertThat(started.banner()).contains("token:   " + firstToken, "curl -s -i -X POST " + started.base());

            HttpResponse<String> response = post(started.base(), firstToken, "Jar Tenant", "production");
            assertThat(response.statusCode()).isEqualTo(201);
            tenantId = tenantId(response);
            created = response.body();
        } finally {
            ExampleJar.stop(first);
        }
        assertThat(first.exitValue()).as("stopped by SIGTERM after draining").isZero();
        String log = Files.readString(temp.resolve("first.log"));
        assertThat(log).contains("method=POST path=/api/v1/tenants status=201 duration_ms=")
                .doesNotContain(firstToken).doesNotContain("SET LOCAL");
        assertOwnerOnly(dataDirectory);

        Process second = ExampleJar.start(dataDirectory, temp.resolve("second.log"));
        try {
            ExampleJar.Started started = ExampleJar.awaitStarted(second);
            String token = Files.readString(dataDirectory.resolve(DataDirectory.ADMIN_TOKEN_FILE)).strip();
            assertThat(token).as("token generated once and reused").isEqualTo(firstToken);

            HttpResponse<String> fetched = send("GET", started.base().resolve("api/v1/tenants/" + tenantId), token,
                    null, null);

            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(fetched.body()).isEqualTo(created.replaceFirst("}$", ",\"schema_version\":null}"));
            assertStoredSecretStillConnects(dataDirectory, UUID.fromString(tenantId));
        } finally {
            ExampleJar.stop(second);
        }
    }

    @Test
    void externalModePrintsItsUrlNeverTheTokenAndCtrlCStopsWithZero() throws Exception {
        assumeFalse(inheritsIgnoredSigint(), "this JVM ignores SIGINT (started in the background by a shell, or under"
                + " nohup), so the jar it starts inherits that and rightly cannot be stopped with Ctrl-C");
        TestPostgres postgres = TestPostgres.get();
        String control = postgres.createDatabase("example_jar_");
        String token = ExampleTesting.newToken();
        try {
            Process process = ExampleJar.start(temp.resolve("unused"), temp.resolve("external.log"),
                    ExampleTesting.environment(postgres, control, ExampleTesting.newKey(), token));
            try {
                ExampleJar.Started started = ExampleJar.awaitStarted(process);
                assertThat(started.banner()).contains("listening on " + started.base().toString().replaceAll("/$", ""),
                        "mode:    external").doesNotContain(token);
                assertThat(send("GET", started.base().resolve("healthz"), null, null, null).body())
                        .contains("\"version\":\"");

                Runtime.getRuntime().exec(new String[] {"kill", "-INT", Long.toString(process.pid())}).waitFor();
                assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
            } finally {
                ExampleJar.stop(process);
            }
            assertThat(process.exitValue()).as("stopped by SIGINT (Ctrl-C) after draining").isZero();
            assertThat(Files.readString(temp.resolve("external.log")))
                    .contains("method=GET path=/healthz status=200").doesNotContain(token);
        } finally {
            ExampleTesting.dropAll(postgres, control);
        }
    }

    /**
     * Whether this process ignores SIGINT ({@code SigIgn} in {@code /proc/self/status}, bit 1): a shell starts its
     * background jobs so, and ignored signals stay ignored across {@code exec}, where the JVM keeps them ignored.
     */
    private static boolean inheritsIgnoredSigint() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream().filter(line -> line.startsWith("SigIgn:"))
                .map(line -> Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16))
                .anyMatch(mask -> (mask & 0x2) != 0);
    }

    @Test
    void embeddedModeNeverPrintsAnAdminTokenTheOperatorSupplied() throws Exception {
        String token = ExampleTesting.newToken();
        Process process = ExampleJar.start(temp.resolve("data"), temp.resolve("supplied.log"),
                java.util.Map.of("ADMIN_TOKEN", token, "ACCESS_LOG", "off"));
        try {
            ExampleJar.Started started = ExampleJar.awaitStarted(process);
            assertThat(started.banner()).doesNotContain(token).contains("the ADMIN_TOKEN you set (not shown)",
                    "Authorization: Bearer $ADMIN_TOKEN");
            assertThat(post(started.base(), token, "Supplied", "production").statusCode()).isEqualTo(201);
        } finally {
            ExampleJar.stop(process);
        }
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(temp.resolve("supplied.log"))).doesNotContain(token).doesNotContain("method=");
        assertThat(temp.resolve("data").resolve(DataDirectory.ADMIN_TOKEN_FILE)).doesNotExist();
    }

    @Test
    void invalidConfigurationExitsWithTwoAndOneLine() throws Exception {
        ProcessBuilder builder = ExampleJar.javaJar(temp.resolve("data"));
        builder.environment().put("PORT", "not-a-port");
        builder.redirectErrorStream(false);
        Process process = builder.start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(stderr.lines().toList()).containsExactly(
                "configuration error: PORT must be a number from 0 to 65535, got 'not-a-port'");
    }

    private static void assertOwnerOnly(Path dataDirectory) throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDirectory))).isEqualTo("rwx------");
        for (String file : List.of(DataDirectory.ADMIN_TOKEN_FILE, DataDirectory.ENCRYPTION_KEY_FILE,
                DataDirectory.POSTGRES_PASSWORD_FILE, DataDirectory.POSTGRES_PORT_FILE)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDirectory.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
    }

    // Reads the control plane of the embedded server with the kept superuser password, opens the tenant's secret
    // with the kept key, and connects with it; a wrong password is refused, so the credentials really matter.
    private static void assertStoredSecretStillConnects(Path dataDirectory, UUID tenantId) throws Exception {
        int port = Integer.parseInt(Files.readString(dataDirectory.resolve(DataDirectory.POSTGRES_PORT_FILE)).strip());
        String password = Files.readString(dataDirectory.resolve(DataDirectory.POSTGRES_PASSWORD_FILE)).strip();
        EncryptionKey key = EncryptionKey.fromBase64(
                Files.readString(dataDirectory.resolve(DataDirectory.ENCRYPTION_KEY_FILE)));
        String sealed;
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres",
                "postgres", password);
             PreparedStatement select = admin.prepareStatement(
                     "SELECT connection_string_encrypted FROM control_plane.tenant_databases WHERE tenant_id = ?")) {
            select.setObject(1, tenantId);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                sealed = rs.getString(1);
            }
        }
        ConnectionDetails details = ConnectionDetails.fromUri(new String(new AesGcmCipherService(key)
                .decrypt(sealed, ConnectionStringSealer.associatedData(tenantId)), StandardCharsets.UTF_8));
        try (Connection tenant = TenantConnector.withDefaults().open(details)) {
            assertThat(tenant.isValid(5)).isTrue();
        }
        ConnectionDetails wrongPassword = new ConnectionDetails(details.host(), details.port(), details.database(),
                details.user(), details.password() + "x");
        assertThatThrownBy(() -> TenantConnector.withDefaults().open(wrongPassword).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    }
}
