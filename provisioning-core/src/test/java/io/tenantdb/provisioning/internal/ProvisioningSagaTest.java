package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.DatabaseCreator;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.TenantStore.StoredDatabase;
import io.tenantdb.provisioning.testing.CapturedLog;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProvisioningSagaTest {

    private static final TenantRequest ACME = new TenantRequest("Acme", Environment.PRODUCTION);

    /** Where a failure is injected, and the code the provisioner must report for it. */
    enum FailurePoint {
        RESERVE(ErrorCode.RESERVE_FAILED),
        CREATE_ROLE(ErrorCode.CREATE_FAILED),
        CREATE_DATABASE(ErrorCode.CREATE_FAILED),
        VERIFY(ErrorCode.VERIFY_FAILED),
        INITIALIZE(ErrorCode.INITIALIZE_FAILED),
        ENCRYPT(ErrorCode.CRYPTO_FAILED),
        ACTIVATE(ErrorCode.STORE_FAILED);

        final ErrorCode expected;

        FailurePoint(ErrorCode expected) {
            this.expected = expected;
        }
    }

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final List<ConnectionDetails> handedOut = new CopyOnWriteArrayList<>();
    private CapturedLog log;

    @BeforeEach
    void captureSagaLog() {
        // The package logger: the saga and the one failure path (Failures) both log under it.
        log = CapturedLog.of(ProvisioningSaga.class.getPackageName());
    }

    @AfterEach
    void releaseSagaLog() {
        log.close();
    }

    @Test
    void provisionCreatesDatabaseRoleAndActiveTenantNamedAfterTheId() {
        Tenant tenant = fakes.provisioner().provision(ACME);

        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(tenant.name()).isEqualTo("Acme");
        assertThat(tenant.environment()).isEqualTo(Environment.PRODUCTION);
        assertThat(tenant.databaseName()).isEqualTo("car_" + tenant.id().toString().replace('-', '_'));
        assertThat(fakes.creator.databases()).containsExactly(tenant.databaseName());
        assertThat(fakes.creator.roles()).containsExactly(tenant.databaseName());
        assertThat(fakes.store.tenants()).singleElement()
                .satisfies(t -> assertThat(t.status()).isEqualTo(TenantStatus.ACTIVE));
    }

    @Test
    void storedConnectionStringDecryptsWithItsTenantIdOnly() throws Exception {
        Tenant tenant = provisionRecording();
        StoredDatabase stored = fakes.store.findDatabase(tenant.id()).orElseThrow();
        ConnectionDetails details = handedOut.get(0);

        byte[] plaintext = fakes.cipher.decrypt(stored.connectionStringEncrypted(),
                ConnectionStringSealer.associatedData(tenant.id()));
        assertThat(new String(plaintext, StandardCharsets.UTF_8)).isEqualTo(details.toUri());
        assertThat(stored.connectionStringEncrypted()).doesNotContain(details.password());
        assertThatThrownBy(() -> fakes.cipher.decrypt(stored.connectionStringEncrypted(),
                ConnectionStringSealer.associatedData(UUID.randomUUID())))
                .isInstanceOf(java.security.GeneralSecurityException.class);
    }

    @Test
    void associatedDataIsTheCanonicalLowerCaseTenantId() {
        UUID id = UUID.fromString("0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9");
        assertThat(new String(ConnectionStringSealer.associatedData(id), StandardCharsets.UTF_8))
                .isEqualTo("0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9");
    }

    @ParameterizedTest
    @EnumSource(FailurePoint.class)
    void failureAtAnyStepUndoesEveryEarlierStepAndReportsItsCode(FailurePoint point) {
        TenantProvisioner provisioner = arm(point, new SQLException("injected failure", "XX000"));

        ProvisioningException failure = catchThrowableOfType(ProvisioningException.class,
                () -> provisioner.provision(ACME));

        assertThat(failure).isNotNull();
        assertThat(failure.code()).isEqualTo(point.expected);
        assertThat(failure.getSuppressed()).isEmpty();
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(fakes.creator.roles()).isEmpty();
        assertThat(fakes.store.tenants()).isEmpty();
        assertNoSecretIn(failure);
        assertNoSecretInLog();
    }

    @Test
    void failureAfterCreateLeavesTheNameFreeForTheNextAttempt() {
        arm(FailurePoint.VERIFY, new SQLException("injected failure", "XX000"));
        TenantProvisioner provisioner = fakes.provisioner();
        assertThatThrownBy(() -> provisioner.provision(ACME)).isInstanceOf(ProvisioningException.class);

        Tenant tenant = provisioner.provision(ACME);

        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(fakes.creator.databases()).containsExactly(tenant.databaseName());
    }

    @Test
    void compensationFailureIsAttachedAsSuppressedAndLaterUndosStillRun() {
        SQLException dropFailure = new SQLException("injected drop failure", "XX000");
        fakes.creator.faults().arm("drop", dropFailure);
        TenantProvisioner provisioner = arm(FailurePoint.VERIFY, new SQLException("injected failure", "XX000"));

        ProvisioningException failure = catchThrowableOfType(ProvisioningException.class,
                () -> provisioner.provision(ACME));

        assertThat(failure.code()).isEqualTo(ErrorCode.VERIFY_FAILED);
        assertThat(failure.getSuppressed()).containsExactly(dropFailure);
        // The drop failed, so the database is still there for the reconciler; the row release ran after it.
        assertThat(fakes.creator.databases()).hasSize(1);
        assertThat(fakes.store.tenants()).isEmpty();
        assertNoSecretIn(failure);
        assertNoSecretInLog();
    }

    @Test
    void releaseFailureIsAttachedAsSuppressedAfterTheDatabaseWasDropped() {
        SQLException releaseFailure = new SQLException("injected release failure", "XX000");
        fakes.store.faults().arm("release", releaseFailure);
        TenantProvisioner provisioner = arm(FailurePoint.ACTIVATE, new SQLException("injected failure", "XX000"));

        ProvisioningException failure = catchThrowableOfType(ProvisioningException.class,
                () -> provisioner.provision(ACME));

        assertThat(failure.code()).isEqualTo(ErrorCode.STORE_FAILED);
        assertThat(failure.getSuppressed()).containsExactly(releaseFailure);
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(fakes.creator.roles()).isEmpty();
    }

    @Test
    void lostLeaseStopsProvisioningBeforeTheNextStepRuns() {
        fakes.store.faults().arm("advance", new SQLException("tenant is no longer being provisioned", "55000"));
        TenantProvisioner provisioner = recordingBuilder().build();

        ProvisioningException failure = catchThrowableOfType(ProvisioningException.class,
                () -> provisioner.provision(ACME));

        // Create runs on the reservation's lease; the first renewal, before verify, finds it lost, and what create
        // made is dropped.
        assertThat(failure.code()).isEqualTo(ErrorCode.VERIFY_FAILED);
        assertThat(handedOut).hasSize(1);
        assertThat(fakes.creator.roles()).isEmpty();
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void eachSlowStepRenewsTheLeaseBeforeItRuns() {
        List<String> stepsSeenByInitializer = new ArrayList<>();
        Tenant tenant = fakes.builder().databaseInitializer(details -> stepsSeenByInitializer.add(
                fakes.store.step(fakes.store.tenants().get(0).id()))).build().provision(ACME);

        assertThat(stepsSeenByInitializer).containsExactly("initialize");
        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
    }

    @Test
    void failureKeepsTheSpiExceptionAsCause() {
        SQLException cause = new SQLException("injected failure", "XX000");
        TenantProvisioner provisioner = arm(FailurePoint.CREATE_DATABASE, cause);

        assertThatThrownBy(() -> provisioner.provision(ACME)).hasCause(cause);
    }

    @Test
    void duplicateNameInSameEnvironmentIgnoringCaseIsRefusedAndCreatesNothing() {
        TenantProvisioner provisioner = fakes.provisioner();
        Tenant first = provisioner.provision(ACME);

        ProvisioningException failure = catchThrowableOfType(ProvisioningException.class,
                () -> provisioner.provision(new TenantRequest("aCME", Environment.PRODUCTION)));

        assertThat(failure.code()).isEqualTo(ErrorCode.DUPLICATE_TENANT);
        assertThat(fakes.creator.databases()).containsExactly(first.databaseName());
        assertThat(fakes.creator.roles()).containsExactly(first.databaseName());
        assertThat(fakes.store.tenants()).extracting(Tenant::id).containsExactly(first.id());
    }

    @Test
    void sameNameInAnotherEnvironmentIsAccepted() {
        TenantProvisioner provisioner = fakes.provisioner();
        Tenant production = provisioner.provision(ACME);

        Tenant staging = provisioner.provision(new TenantRequest("acme", Environment.STAGING));

        assertThat(staging.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(staging.databaseName()).isNotEqualTo(production.databaseName());
        assertThat(fakes.creator.databases()).containsExactlyInAnyOrder(production.databaseName(),
                staging.databaseName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"08006", "08001", "57P01", "53300"})
    void unreachableServerAtCreateIsDatabaseUnavailable(String sqlState) {
        TenantProvisioner provisioner = arm(FailurePoint.CREATE_ROLE, new SQLException("server gone", sqlState));

        assertThatThrownBy(() -> provisioner.provision(ACME))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
        assertThat(fakes.creator.roles()).isEmpty();
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void unreachableControlPlaneAtReserveIsDatabaseUnavailable() {
        TenantProvisioner provisioner = arm(FailurePoint.RESERVE, new SQLException("server gone", "08006"));

        assertThatThrownBy(() -> provisioner.provision(ACME))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"53300", "57P03"})
    void serverRefusingNewSessionsAtVerifyIsDatabaseUnavailableAndCompensated(String sqlState) {
        TenantProvisioner provisioner = arm(FailurePoint.VERIFY, new SQLException("too many clients", sqlState));

        assertThatThrownBy(() -> provisioner.provision(ACME))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(fakes.creator.roles()).isEmpty();
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void connectionFailureAtVerifyIsTheNewDatabasesFaultNotAnOutage() {
        TenantProvisioner provisioner = arm(FailurePoint.VERIFY, new SQLException("connection refused", "08006"));

        assertThatThrownBy(() -> provisioner.provision(ACME))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFY_FAILED));
        assertThat(fakes.creator.databases()).isEmpty();
    }

    @Test
    void findReportsUnknownTenantAsEmptyAndControlPlaneOutageAsUnavailable() {
        TenantProvisioner provisioner = fakes.provisioner();
        Tenant tenant = provisioner.provision(ACME);

        assertThat(provisioner.find(tenant.id())).contains(tenant);
        assertThat(provisioner.find(UUID.randomUUID())).isEmpty();
        fakes.store.faults().arm("find", new SQLException("server gone", "08006"));
        assertThatThrownBy(() -> provisioner.find(tenant.id()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
    }

    @Test
    void initializerRunsWithTheTenantsOwnCredentialsBeforeActivation() {
        List<String> seen = new ArrayList<>();
        DatabaseInitializer initializer = details -> {
            assertThat(fakes.creator.accepts(details)).isTrue();
            assertThat(fakes.store.tenants()).singleElement()
                    .satisfies(t -> assertThat(t.status()).isEqualTo(TenantStatus.PROVISIONING));
            seen.add(details.database());
        };

        Tenant tenant = fakes.builder().databaseInitializer(initializer).build().provision(ACME);

        assertThat(seen).containsExactly(tenant.databaseName());
    }

    @Test
    void initializerIsToldWhichTenantItPreparesAndMayRecordAgainstItsReservedRow() throws SQLException {
        DatabaseInitializer initializer = new DatabaseInitializer() {
            @Override
            public void initialize(ConnectionDetails details) {
                throw new AssertionError("the provisioner calls the form that names the tenant");
            }

            @Override
            public void initialize(UUID tenantId, ConnectionDetails details) throws SQLException {
                fakes.store.recordMigrated(tenantId, "3");
            }
        };

        Tenant tenant = fakes.builder().databaseInitializer(initializer).build().provision(ACME);

        assertThat(fakes.store.schemas(List.of(tenant.id())).get(tenant.id()).version()).contains("3");
    }

    @Test
    void buildRefusesEachMissingRequiredComponent() {
        assertThatThrownBy(() -> TenantProvisioner.builder().connectionVerifier(fakes.verifier)
                .cipherService(fakes.cipher).tenantStore(fakes.store).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("databaseCreator");
        assertThatThrownBy(() -> TenantProvisioner.builder().databaseCreator(fakes.creator)
                .cipherService(fakes.cipher).tenantStore(fakes.store).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("connectionVerifier");
        assertThatThrownBy(() -> TenantProvisioner.builder().databaseCreator(fakes.creator)
                .connectionVerifier(fakes.verifier).tenantStore(fakes.store).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cipherService");
        assertThatThrownBy(() -> TenantProvisioner.builder().databaseCreator(fakes.creator)
                .connectionVerifier(fakes.verifier).cipherService(fakes.cipher).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("tenantStore");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Car_", "1car_", "_car", "car-", "car ", "tenant\"x", "abcdefghijklmnopqrstu"})
    void builderRefusesPrefixThatIsNotASafeIdentifierStart(String prefix) {
        assertThatThrownBy(() -> TenantProvisioner.builder().databasePrefix(prefix))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderRefusesNullComponents() {
        assertThatThrownBy(() -> TenantProvisioner.builder().databaseCreator(null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> TenantProvisioner.builder().databasePrefix(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void customPrefixNamesTheDatabaseAndTheRole() {
        Tenant tenant = fakes.builder().databasePrefix("acme_t2").build().provision(ACME);

        assertThat(tenant.databaseName()).isEqualTo("acme_t2" + tenant.id().toString().replace('-', '_'));
        assertThat(fakes.creator.databases()).containsExactly(tenant.databaseName());
        assertThat(fakes.creator.roles()).containsExactly(tenant.databaseName());
    }

    @Test
    void builtProvisionerIgnoresLaterBuilderChanges() {
        TenantProvisioner.Builder builder = fakes.builder().databasePrefix("first_");
        TenantProvisioner provisioner = builder.build();
        builder.databasePrefix("second_");

        assertThat(provisioner.provision(ACME).databaseName()).startsWith("first_");
    }

    @Test
    void clockStampsCreationTime() {
        Instant now = Instant.parse("2030-01-02T03:04:05.123456Z");
        Tenant tenant = fakes.builder().clock(Clock.fixed(now, ZoneOffset.UTC)).build().provision(ACME);

        assertThat(tenant.createdAt()).isEqualTo(now);
    }

    @Test
    void provisionRefusesNullRequest() {
        assertThatThrownBy(() -> fakes.provisioner().provision(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void successfulProvisionLogsTheTenantIdButNoSecret() {
        Tenant tenant = provisionRecording();

        assertThat(log.text()).contains(tenant.id().toString());
        assertNoSecretInLog();
    }

    /** Arms {@code point} and returns a provisioner that records the credentials the creator hands out. */
    private TenantProvisioner arm(FailurePoint point, SQLException failure) {
        TenantProvisioner.Builder builder = recordingBuilder();
        switch (point) {
            case RESERVE -> fakes.store.faults().arm("reserve", failure);
            case CREATE_ROLE -> fakes.creator.faults().arm("create-role", failure);
            case CREATE_DATABASE -> fakes.creator.faults().arm("create-database", failure);
            case VERIFY -> fakes.verifier.faults().arm("verify", failure);
            case INITIALIZE -> builder.databaseInitializer(details -> {
                throw failure;
            });
            case ENCRYPT -> fakes.cipher.faults().arm("encrypt", new IllegalStateException("injected cipher failure"));
            case ACTIVATE -> fakes.store.faults().arm("activate", failure);
        }
        return builder.build();
    }

    private Tenant provisionRecording() {
        return recordingBuilder().build().provision(ACME);
    }

    private TenantProvisioner.Builder recordingBuilder() {
        DatabaseCreator recording = new DatabaseCreator() {
            @Override
            public ConnectionDetails create(UUID tenantId, String databaseName, String roleName) throws SQLException {
                ConnectionDetails details = fakes.creator.create(tenantId, databaseName, roleName);
                handedOut.add(details);
                return details;
            }

            @Override
            public void drop(UUID tenantId, String databaseName, String roleName) throws SQLException {
                fakes.creator.drop(tenantId, databaseName, roleName);
            }

            @Override
            public ConnectionDetails rotatePassword(String databaseName, String roleName) throws SQLException {
                ConnectionDetails details = fakes.creator.rotatePassword(databaseName, roleName);
                handedOut.add(details);
                return details;
            }

            @Override
            public void restorePassword(ConnectionDetails previous) throws SQLException {
                fakes.creator.restorePassword(previous);
            }
        };
        return fakes.builder().databaseCreator(recording);
    }

    private void assertNoSecretIn(Throwable failure) {
        List<String> messages = new ArrayList<>();
        collectMessages(failure, messages);
        for (String message : messages) {
            assertThat(message).doesNotContain("postgresql://");
            for (ConnectionDetails details : handedOut) {
                assertThat(message).doesNotContain(details.password());
            }
        }
    }

    private static void collectMessages(Throwable failure, List<String> messages) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
            messages.add(t.toString());
            for (Throwable suppressed : t.getSuppressed()) {
                collectMessages(suppressed, messages);
            }
        }
    }

    private void assertNoSecretInLog() {
        String text = log.text();
        assertThat(log.records()).isNotEmpty();
        assertThat(text).doesNotContain("postgresql://");
        for (ConnectionDetails details : handedOut) {
            assertThat(text).doesNotContain(details.password());
        }
    }
}
