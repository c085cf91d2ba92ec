package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.SslMode;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigurationTest {

    private static final String KEY = ExampleTesting.newKey();
    private static final String OTHER_KEY = ExampleTesting.newKey();
    private static final String TOKEN = "s3cr3t-token-0123456789";
    private static final String PASSWORD = "p@ss:w/rd+%?&#";
    private static final String ENCODED_PASSWORD = "p%40ss%3Aw%2Frd+%25%3F%26%23";

    private static Map<String, String> external(String databaseUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("ENCRYPTION_KEY", KEY);
        env.put("ADMIN_TOKEN", TOKEN);
        return env;
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(name, value);
        return copy;
    }

    private static void assertRefused(Map<String, String> env, String variable, String... secrets) {
        assertThatThrownBy(() -> Configuration.from(env))
                .isInstanceOf(Configuration.Invalid.class)
                .satisfies(e -> {
                    assertThat(((Configuration.Invalid) e).variable()).isEqualTo(variable);
                    assertThat(e.getMessage()).startsWith(variable + " ").doesNotContain("\n");
                    for (String secret : secrets) {
                        assertThat(e.getMessage()).doesNotContain(secret);
                    }
                });
    }

    @Test
    void emptyEnvironmentSelectsEmbeddedModeWithDefaults() {
        Configuration configuration = Configuration.from(Map.of());

        assertThat(configuration.embedded()).isTrue();
        assertThat(configuration.database()).isEmpty();
        assertThat(configuration.encryptionKey()).isEmpty();
        assertThat(configuration.adminToken()).isEmpty();
        assertThat(configuration.previousKeys()).isEmpty();
        assertThat(configuration.port()).isEqualTo(8080);
        assertThat(configuration.dataDirectory()).isEqualTo(Path.of("provisioning-data"));
        assertThat(configuration.tenantDbHost()).isEmpty();
        assertThat(configuration.tenantDbPort()).isEmpty();
        assertThat(configuration.tenantSslMode()).isEmpty();
        assertThat(configuration.tenantSslRootCert()).isEmpty();
        assertThat(configuration.tenantConnectionLimit()).isEqualTo(20);
    }

    @Test
    void libpqUrlIsParsedAndPercentDecoded() {
        Configuration configuration = Configuration.from(external(
                "postgresql://ad%20min:" + ENCODED_PASSWORD + "@db.example.com:6543/control%5Fplane?sslmode=require"
                        + "&connect_timeout=7&application_name=demo"));

        Configuration.Database database = configuration.database().orElseThrow();
        assertThat(configuration.embedded()).isFalse();
        assertThat(database.host()).isEqualTo("db.example.com");
        assertThat(database.port()).isEqualTo(6543);
        assertThat(database.name()).isEqualTo("control_plane");
        assertThat(database.user()).isEqualTo("ad min");
        assertThat(database.password()).contains(PASSWORD);
        assertThat(database.properties()).containsExactlyInAnyOrderEntriesOf(
                Map.of("sslmode", "require", "connectTimeout", "7", "ApplicationName", "demo"));
        assertThat(database.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/control_plane");
    }

    @Test
    void jdbcUrlWithCredentialsInTheQueryIsParsed() {
        Configuration configuration = Configuration.from(external(
                "jdbc:postgresql://10.0.0.5/tenants?user=admin&password=" + ENCODED_PASSWORD + "&sslmode=verify-full"));

        Configuration.Database database = configuration.database().orElseThrow();
        assertThat(database.host()).isEqualTo("10.0.0.5");
        assertThat(database.port()).isEqualTo(5432);
        assertThat(database.name()).isEqualTo("tenants");
        assertThat(database.user()).isEqualTo("admin");
        assertThat(database.password()).contains(PASSWORD);
        assertThat(database.properties()).containsExactly(Map.entry("sslmode", "verify-full"));
    }

    @Test
    void postgresSchemeIpv6HostAndLibpqDefaultDatabaseAreAccepted() {
        Configuration.Database database = Configuration.from(external("postgres://admin@[::1]:5433"))
                .database().orElseThrow();

        assertThat(database.host()).isEqualTo("::1");
        assertThat(database.port()).isEqualTo(5433);
        assertThat(database.name()).as("libpq defaults the database to the user name").isEqualTo("admin");
        assertThat(database.password()).isEmpty();
        assertThat(database.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/admin");
    }

    @Test
    void aMultiHostUrlKeepsEveryHostInOrderForAPrimaryAndItsStandbys() {
        Configuration.Database jdbc = Configuration.from(external(
                "jdbc:postgresql://standby:5433,primary/control?targetServerType=primary&user=admin&password=pw"))
                .database().orElseThrow();
        Configuration.Database libpq = Configuration.from(external(
                "postgresql://admin:pw@standby:5433,primary/control?target_session_attrs=read-write"))
                .database().orElseThrow();

        for (Configuration.Database database : List.of(jdbc, libpq)) {
            assertThat(database.jdbcUrl()).isEqualTo("jdbc:postgresql://standby:5433,primary:5432/control");
            assertThat(database.properties()).containsEntry("targetServerType", "primary");
            assertThat(database.host()).isEqualTo("standby");
            assertThat(database.toString()).contains("admin@standby:5433,primary:5432/control").doesNotContain("pw");
        }
    }

    @Test
    void databaseToStringRedactsThePassword() {
        Configuration configuration = Configuration.from(external("postgresql://admin:" + ENCODED_PASSWORD + "@h/db"));

        assertThat(configuration.database().orElseThrow().toString()).contains("admin@h:5432/db", "***")
                .doesNotContain(PASSWORD).doesNotContain(ENCODED_PASSWORD);
        assertThat(configuration.toString()).doesNotContain(PASSWORD).doesNotContain(TOKEN).doesNotContain(KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "mysql://admin:" + ENCODED_PASSWORD + "@host/db",
            "postgresql://:" + ENCODED_PASSWORD + "@host/db",
            "postgresql://admin:" + ENCODED_PASSWORD + "@/db",
            "postgresql://admin:" + ENCODED_PASSWORD + "@host:99999/db",
            "postgresql://admin:" + ENCODED_PASSWORD + "@host:port/db",
            "postgresql://admin:" + ENCODED_PASSWORD + "@h1:5432,,h2/db",
            "postgresql://admin:" + ENCODED_PASSWORD + "%zz@host/db",
            "postgresql://admin:" + ENCODED_PASSWORD + "@[::1/db",
            "jdbc:postgresql://host/db?password=" + ENCODED_PASSWORD,
            "jdbc:postgresql://host/db?user=admin&password=" + ENCODED_PASSWORD + "&=x",
    })
    void malformedDatabaseUrlIsRefusedWithoutEchoingIt(String url) {
        assertRefused(external(url), "DATABASE_URL", PASSWORD, ENCODED_PASSWORD, url);
    }

    @Test
    void externalDatabaseRequiresAnEncryptionKey() {
        Map<String, String> env = external("postgresql://admin:pw@host/db");
        env.remove("ENCRYPTION_KEY");

        assertRefused(env, "ENCRYPTION_KEY");
    }

    @Test
    void externalDatabaseRequiresAnAdminToken() {
        Map<String, String> env = external("postgresql://admin:pw@host/db");
        env.remove("ADMIN_TOKEN");

        assertRefused(env, "ADMIN_TOKEN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64 at all!", "AAAA", "c2hvcnQ=",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void malformedEncryptionKeyIsRefusedWithoutEchoingIt(String key) {
        assertRefused(with(Map.of(), "ENCRYPTION_KEY", key), "ENCRYPTION_KEY", key);
    }

    @Test
    void encryptionKeyInBothBase64AlphabetsIsAccepted() {
        byte[] raw = new byte[32];
        raw[0] = (byte) 0xfb;
        raw[1] = (byte) 0xff;
        String standard = java.util.Base64.getEncoder().encodeToString(raw);
        String urlSafe = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);

        assertThat(Configuration.from(Map.of("ENCRYPTION_KEY", standard)).encryptionKey())
                .contains(EncryptionKey.of(raw));
        assertThat(Configuration.from(Map.of("ENCRYPTION_KEY", urlSafe)).encryptionKey())
                .contains(EncryptionKey.of(raw));
    }

    @Test
    void previousKeysAreParsedFromACommaList() {
        Configuration configuration = Configuration.from(Map.of("ENCRYPTION_KEY", KEY,
                "ENCRYPTION_KEYS_PREVIOUS", OTHER_KEY + " , " + ExampleTesting.newKey()));

        assertThat(configuration.previousKeys()).hasSize(2).contains(EncryptionKey.fromBase64(OTHER_KEY));
    }

    @Test
    void malformedPreviousKeyIsRefusedNamingItsPosition() {
        String bad = "c2hvcnQ=";
        assertRefused(Map.of("ENCRYPTION_KEYS_PREVIOUS", OTHER_KEY + "," + bad), "ENCRYPTION_KEYS_PREVIOUS",
                bad, OTHER_KEY);
        assertThatThrownBy(() -> Configuration.from(Map.of("ENCRYPTION_KEYS_PREVIOUS", OTHER_KEY + "," + bad)))
                .hasMessageContaining("entry 2");
        assertRefused(Map.of("ENCRYPTION_KEYS_PREVIOUS", OTHER_KEY + ","), "ENCRYPTION_KEYS_PREVIOUS", OTHER_KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"short-token", "fifteen-chars!!", "has a space in it 0123", "tab\tseparated-token-0123",
            "ünïcödé-token-0123456"})
    void weakOrUnsendableAdminTokenIsRefusedWithoutEchoingIt(String token) {
        assertRefused(Map.of("ADMIN_TOKEN", token), "ADMIN_TOKEN", token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aaaaaaaaaaaaaaaa", "0000000000000000000000000000000000000000", "################"})
    void adminTokenOfOneRepeatedCharacterIsRefusedWithoutEchoingIt(String token) {
        assertRefused(Map.of("ADMIN_TOKEN", token), "ADMIN_TOKEN", token);
        assertThatThrownBy(() -> Configuration.from(Map.of("ADMIN_TOKEN", token)))
                .hasMessageContaining("one character repeated");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x2a, 0xff})
    void encryptionKeyOfOneRepeatedByteIsRefusedWithoutEchoingIt(int value) {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) value);
        String weak = java.util.Base64.getEncoder().encodeToString(raw);

        assertRefused(with(Map.of(), "ENCRYPTION_KEY", weak), "ENCRYPTION_KEY", weak);
        assertThatThrownBy(() -> Configuration.from(Map.of("ENCRYPTION_KEY", weak)))
                .hasMessageContaining("one byte repeated");
        assertRefused(with(external("postgresql://admin:pw@host/db"), "ENCRYPTION_KEY", weak), "ENCRYPTION_KEY", weak);
        assertRefused(Map.of("ENCRYPTION_KEYS_PREVIOUS", OTHER_KEY + "," + weak), "ENCRYPTION_KEYS_PREVIOUS", weak);
    }

    @ParameterizedTest
    @ValueSource(strings = {"short-token", "has a space in it 0123", "aaaaaaaaaaaaaaaa"})
    void weakMetricsTokenIsRefusedByItsNameWithoutEchoingIt(String token) {
        assertRefused(Map.of("METRICS_TOKEN", token), "METRICS_TOKEN", token);
    }

    @Test
    void metricsTokenIsOptionalAndKeptApartFromTheAdminToken() {
        assertThat(Configuration.from(Map.of()).metricsToken()).isEmpty();
        Configuration configuration = Configuration.from(Map.of("METRICS_TOKEN", "metrics-0123456789"));
        assertThat(configuration.metricsToken()).contains("metrics-0123456789");
        assertThat(configuration.toString()).doesNotContain("metrics-0123456789");
    }

    @Test
    void adminTokenOfSixteenVisibleCharactersIsAccepted() {
        assertThat(Configuration.from(Map.of("ADMIN_TOKEN", "0123456789abcdef")).adminToken())
                .contains("0123456789abcdef");
    }

    @Test
    void portIsParsedAndZeroMeansAnyFreePort() {
        assertThat(Configuration.from(Map.of("PORT", "9090")).port()).isEqualTo(9090);
        assertThat(Configuration.from(Map.of("PORT", "65535")).port()).isEqualTo(65535);
        assertThat(Configuration.from(Map.of("PORT", "0")).port()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "http", "80.5", "99999999999"})
    void invalidPortIsRefused(String port) {
        assertRefused(Map.of("PORT", port), "PORT");
    }

    @Test
    void dataDirectoryIsTaken() {
        assertThat(Configuration.from(Map.of("PROVISIONING_DATA_DIR", "/var/lib/tenantdb")).dataDirectory())
                .isEqualTo(Path.of("/var/lib/tenantdb"));
    }

    @Test
    void invalidDataDirectoryIsRefused() {
        assertRefused(Map.of("PROVISIONING_DATA_DIR", "bad\0path"), "PROVISIONING_DATA_DIR");
    }

    @Test
    void tenantEndpointOverridesAreParsed() {
        Configuration configuration = Configuration.from(Map.of("TENANT_DB_HOST", "pgbouncer.internal",
                "TENANT_DB_PORT", "6432"));

        assertThat(configuration.tenantDbHost()).isEqualTo(Optional.of("pgbouncer.internal"));
        assertThat(configuration.tenantDbPort()).isEqualTo(OptionalInt.of(6432));
    }

    @Test
    void tenantConnectionLimitIsParsedAndMinusOneMeansUnlimited() {
        assertThat(Configuration.from(Map.of("TENANT_CONNECTION_LIMIT", "5")).tenantConnectionLimit()).isEqualTo(5);
        assertThat(Configuration.from(Map.of("TENANT_CONNECTION_LIMIT", "-1")).tenantConnectionLimit())
                .isEqualTo(-1);
        assertThat(Configuration.from(Map.of("TENANT_CONNECTION_LIMIT", "262143")).tenantConnectionLimit())
                .isEqualTo(262143);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2", "262144", "twenty", "1.5", "0x10"})
    void invalidTenantConnectionLimitIsRefused(String limit) {
        assertRefused(Map.of("TENANT_CONNECTION_LIMIT", limit), "TENANT_CONNECTION_LIMIT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
    void tenantSslModeTakesTheSixLibpqModes(String mode) {
        assertThat(Configuration.from(Map.of("TENANT_DB_SSLMODE", mode)).tenantSslMode().map(SslMode::wireName))
                .contains(mode);
    }

    @ParameterizedTest
    @ValueSource(strings = {"VERIFY-FULL", "verify_full", "on", "true", "ssl"})
    void otherTenantSslModesAreRefusedListingTheValidOnes(String mode) {
        assertRefused(Map.of("TENANT_DB_SSLMODE", mode), "TENANT_DB_SSLMODE");
        assertThatThrownBy(() -> Configuration.from(Map.of("TENANT_DB_SSLMODE", mode)))
                .hasMessageContaining("disable, allow, prefer, require, verify-ca, verify-full");
    }

    @Test
    void tenantSslRootCertIsTakenWithAVerifyingMode(@TempDir Path directory) throws Exception {
        Path ca = Files.writeString(directory.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");

        for (String mode : new String[] {"verify-ca", "verify-full"}) {
            Configuration configuration = Configuration.from(Map.of("TENANT_DB_SSLMODE", mode,
                    "TENANT_DB_SSLROOTCERT", ca.toString()));
            assertThat(configuration.tenantSslRootCert()).contains(ca);
        }
    }

    @Test
    void tenantSslRootCertMustBeAReadableFile(@TempDir Path directory) {
        assertRefused(Map.of("TENANT_DB_SSLMODE", "verify-full",
                "TENANT_DB_SSLROOTCERT", directory.resolve("missing.pem").toString()), "TENANT_DB_SSLROOTCERT");
        assertRefused(Map.of("TENANT_DB_SSLMODE", "verify-full",
                "TENANT_DB_SSLROOTCERT", directory.toString()), "TENANT_DB_SSLROOTCERT");
    }

    @Test
    void tenantSslRootCertWithoutAVerifyingModeIsRefused(@TempDir Path directory) throws Exception {
        Path ca = Files.writeString(directory.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");

        assertRefused(Map.of("TENANT_DB_SSLROOTCERT", ca.toString()), "TENANT_DB_SSLROOTCERT");
        assertRefused(Map.of("TENANT_DB_SSLMODE", "require", "TENANT_DB_SSLROOTCERT", ca.toString()),
                "TENANT_DB_SSLROOTCERT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"host/with/slash", "user@host", "two words"})
    void invalidTenantHostIsRefused(String host) {
        assertRefused(Map.of("TENANT_DB_HOST", host), "TENANT_DB_HOST");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "70000", "x"})
    void invalidTenantPortIsRefused(String port) {
        assertRefused(Map.of("TENANT_DB_PORT", port), "TENANT_DB_PORT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DATABASE_URL", "ENCRYPTION_KEY", "ENCRYPTION_KEYS_PREVIOUS", "ADMIN_TOKEN", "PORT",
            "PROVISIONING_DATA_DIR", "TENANT_DB_HOST", "TENANT_DB_PORT", "TENANT_DB_SSLMODE", "TENANT_DB_SSLROOTCERT",
            "TENANT_CONNECTION_LIMIT"})
    void blankValueIsRefusedRatherThanTreatedAsUnset(String variable) {
        assertThat(Configuration.VARIABLES).contains(variable);
        assertRefused(Map.of(variable, "  "), variable);
    }

    @Test
    void lookupFunctionIsConsulted() {
        Map<String, String> values = external("postgresql://admin:pw@host/db");

        assertThat(Configuration.from(values::get).database()).isPresent();
    }

    @Test
    void timeoutsDefaultAndCanBeSet() {
        assertThat(Configuration.from(Map.of()).timeouts()).isEqualTo(Configuration.Timeouts.defaults());

        Map<String, String> env = with(with(with(with(Map.of(), "DB_CONNECT_TIMEOUT_SECONDS", "2"),
                "DB_STATEMENT_TIMEOUT_SECONDS", "10"), "PROVISIONING_LEASE_SECONDS", "30"),
                "RECONCILE_INTERVAL_SECONDS", "0");
        Configuration.Timeouts timeouts = Configuration.from(env).timeouts();

        assertThat(timeouts.connect()).hasSeconds(2);
        assertThat(timeouts.statement()).hasSeconds(10);
        assertThat(timeouts.lease()).hasSeconds(30);
        assertThat(timeouts.reconcileInterval()).isZero();
    }

    @Test
    void idempotencyRetentionDefaultsToADayAndCanBeSet() {
        assertThat(Configuration.from(Map.of()).idempotencyRetention()).hasHours(24);
        assertThat(Configuration.from(Map.of("IDEMPOTENCY_KEY_RETENTION_HOURS", "2")).idempotencyRetention())
                .hasHours(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DB_CONNECT_TIMEOUT_SECONDS", "DB_STATEMENT_TIMEOUT_SECONDS", "PROVISIONING_LEASE_SECONDS",
            "RECONCILE_INTERVAL_SECONDS", "IDEMPOTENCY_KEY_RETENTION_HOURS"})
    void malformedTimeoutsAreRefused(String variable) {
        assertRefused(with(Map.of(), variable, "soon"), variable);
        assertRefused(with(Map.of(), variable, "-1"), variable);
        assertRefused(with(Map.of(), variable, "100000"), variable);
    }

    @Test
    void aLeaseNoLongerThanOneStepIsRefused() {
        assertRefused(with(with(Map.of(), "DB_STATEMENT_TIMEOUT_SECONDS", "60"), "PROVISIONING_LEASE_SECONDS", "65"),
                "PROVISIONING_LEASE_SECONDS");
    }

    @Test
    void databasePrefixDefaultsToCarAndIsTaken() {
        assertThat(Configuration.from(Map.of()).databasePrefix()).isEqualTo("car_");
        assertThat(Configuration.from(Map.of("DATABASE_PREFIX", "acme_t")).databasePrefix()).isEqualTo("acme_t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Car_", "1car", "car-", "car_\"x", "a_prefix_that_is_too_long"})
    void databasePrefixIsValidatedLikeTheBuildersPrefix(String prefix) {
        assertRefused(Map.of("DATABASE_PREFIX", prefix), "DATABASE_PREFIX");
    }

    @Test
    void accessLogIsOnByDefaultAndTakesOnOrOff() {
        assertThat(Configuration.from(Map.of()).accessLog()).isTrue();
        assertThat(Configuration.from(Map.of("ACCESS_LOG", "off")).accessLog()).isFalse();
        assertThat(Configuration.from(Map.of("ACCESS_LOG", "on")).accessLog()).isTrue();
        assertRefused(Map.of("ACCESS_LOG", "yes"), "ACCESS_LOG");
    }

    @Test
    void aVariableSetOnlyInAnotherCaseIsReportedAndAnExactOneIsNot() {
        assertThat(Configuration.misspelledVariables(List.of("database_url", "Port", "ADMIN_TOKEN", "admin_token")))
                .hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("database_url is set but ignored").contains("DATABASE_URL"))
                .anySatisfy(w -> assertThat(w).startsWith("Port is set but ignored").contains("PORT"));
        assertThat(Configuration.misspelledVariables(List.of("DATABASE_URL", "HOME"))).isEmpty();
    }
}
