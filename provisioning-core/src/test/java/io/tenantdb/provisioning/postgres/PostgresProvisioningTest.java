package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.internal.ConnectionStringSealer;
import io.tenantdb.provisioning.spi.ConnectionVerifier;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(RealProvisioningExtension.class)
class PostgresProvisioningTest {

    private static final TenantRequest ACME = new TenantRequest("Acme", Environment.PRODUCTION);

    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) {
        this.real = real;
    }

    @Test
    void defaultPrefixDatabaseIsOwnedByItsOwnLoginRoleWithoutAdminPowers() throws Exception {
        Tenant tenant = real.builder().databasePrefix("car_").build().provision(ACME);
        try {
            assertThat(tenant.databaseName()).isEqualTo("car_" + tenant.id().toString().replace('-', '_'))
                    .matches("car_[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}");
            List<String> owner = Sql.strings(real.postgres.adminDataSource(),
                    "SELECT concat_ws(',', r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole,"
                            + " r.rolreplication, r.rolbypassrls) FROM pg_database d"
                            + " JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ?", tenant.databaseName());
            assertThat(owner).containsExactly(tenant.databaseName() + ",t,f,f,f,f,f");
        } finally {
            real.creator.drop(tenant.id(), tenant.databaseName(), tenant.databaseName());
        }
    }

    @Test
    void tenantRoleConnectsToItsOwnDatabaseAndIsRefusedByAnothers() throws Exception {
        TenantProvisioner provisioner = real.builder().build();
        Tenant first = provisioner.provision(ACME);
        Tenant second = provisioner.provision(new TenantRequest("Globex", Environment.PRODUCTION));
        ConnectionDetails firstDetails = real.storedDetails(first.id());

        try (Connection own = real.connector.open(firstDetails);
             Statement statement = own.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user, current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(first.databaseName());
            assertThat(rs.getString(2)).isEqualTo(first.databaseName());
        }
        ConnectionDetails intoOther = new ConnectionDetails(firstDetails.host(), firstDetails.port(),
                second.databaseName(), firstDetails.user(), firstDetails.password());
        assertThatThrownBy(() -> real.connector.open(intoOther).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
    }

    @Test
    void publicHasNoConnectPrivilegeOnATenantDatabase() throws Exception {
        Tenant tenant = real.builder().build().provision(ACME);

        String sql = "SELECT has_database_privilege('public', ?, 'CONNECT')";
        // A database made by plain CREATE DATABASE grants CONNECT to PUBLIC: the query can tell the two apart.
        String plain = real.postgres.createDatabase("plain_");
        try {
            assertThat(Sql.strings(real.postgres.adminDataSource(), sql, plain)).containsExactly("t");
        } finally {
            try (Connection connection = real.postgres.adminDataSource().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE \"" + plain + "\"");
            }
        }
        assertThat(Sql.strings(real.postgres.adminDataSource(), sql, tenant.databaseName()))
                .containsExactly("f");
    }

    @Test
    void databaseCommentNamesItsControlPlaneAndTenant() throws Exception {
        Tenant tenant = real.builder().build().provision(ACME);

        assertThat(Sql.strings(real.postgres.adminDataSource(),
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?",
                tenant.databaseName()))
                .containsExactly("tenantdb:" + real.store.controlPlaneId() + ":" + tenant.id());
    }

    @Test
    void controlPlaneHoldsActiveTenantAndSealedConnectionStringThatConnects() throws Exception {
        TenantProvisioner provisioner = real.builder().build();
        Tenant tenant = provisioner.provision(ACME);
        ConnectionDetails details = real.storedDetails(tenant.id());

        List<String> tenantRow = Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT concat_ws(',', name, environment, status) FROM control_plane.tenants WHERE id = ?::uuid",
                tenant.id().toString());
        assertThat(tenantRow).containsExactly("Acme,production,active");
        List<String> databaseRow = Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT concat_ws(',', database_name, role_name, key_id) FROM control_plane.tenant_databases"
                        + " WHERE tenant_id = ?::uuid", tenant.id().toString());
        assertThat(databaseRow).containsExactly(tenant.databaseName() + "," + tenant.databaseName() + ","
                + real.cipher.primaryKey().idHex());
        String sealed = Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT connection_string_encrypted FROM control_plane.tenant_databases WHERE tenant_id = ?::uuid",
                tenant.id().toString()).get(0);
        assertThat(sealed).doesNotContain(details.password()).doesNotContain("postgresql://")
                .doesNotContain(tenant.databaseName());
        assertThatThrownBy(() -> real.cipher.decrypt(sealed, ConnectionStringSealer.associatedData(UUID.randomUUID())))
                .isInstanceOf(GeneralSecurityException.class);
        assertThat(details.database()).isEqualTo(tenant.databaseName());
        assertThat(details.host()).isEqualTo(real.postgres.host());
        assertThat(details.port()).isEqualTo(real.postgres.port());
        assertThat(real.verifier.verify(details)).startsWith("PostgreSQL");
        assertThat(provisioner.find(tenant.id())).contains(tenant);
    }

    @Test
    void roleCarriesAScramVerifierAndOnlyItsPasswordAuthenticates() throws Exception {
        Tenant tenant = real.builder().build().provision(ACME);
        ConnectionDetails details = real.storedDetails(tenant.id());

        List<String> stored = Sql.strings(real.postgres.adminDataSource(),
                "SELECT rolpassword FROM pg_authid WHERE rolname = ?", tenant.databaseName());
        assertThat(stored).singleElement().asString()
                .startsWith("SCRAM-SHA-256$" + PostgresDatabaseCreator.DEFAULT_SCRAM_ITERATIONS + ":")
                .doesNotContain(details.password());
        assertThat(real.verifier.verify(details)).startsWith("PostgreSQL");
        ConnectionDetails wrong = new ConnectionDetails(details.host(), details.port(), details.database(),
                details.user(), details.password() + "x");
        assertThatThrownBy(() -> real.verifier.verify(wrong))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void aCreatorAskedForMoreScramIterationsStoresThemAndTheRoleStillLogsIn() throws Exception {
        PostgresDatabaseCreator creator = PostgresDatabaseCreator.builder(real.postgres.adminDataSource(),
                real.store.controlPlaneId()).tenantEndpoint(real.postgres.host(), real.postgres.port())
                .scramIterations(4096).build();
        Tenant tenant = real.builder().databaseCreator(creator).build().provision(ACME);

        assertThat(Sql.strings(real.postgres.adminDataSource(),
                "SELECT rolpassword FROM pg_authid WHERE rolname = ?", tenant.databaseName()))
                .singleElement().asString().startsWith("SCRAM-SHA-256$4096:");
        assertThat(real.verifier.verify(real.storedDetails(tenant.id()))).startsWith("PostgreSQL");
        assertThatThrownBy(() -> PostgresDatabaseCreator.builder(real.postgres.adminDataSource(),
                real.store.controlPlaneId()).scramIterations(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void initializerCreatesTablesOwnedByTheTenantRole() throws Exception {
        SqlScriptInitializer initializer = new SqlScriptInitializer(real.connector, getClass().getClassLoader(),
                List.of("io/tenantdb/provisioning/postgres/tenant-notes.sql"));

        Tenant tenant = real.builder().databaseInitializer(initializer).build().provision(ACME);

        assertThat(Sql.strings(real.postgres.dataSource(tenant.databaseName()),
                "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = ?", "notes"))
                .containsExactly(tenant.databaseName());
        try (Connection connection = real.connector.open(real.storedDetails(tenant.id()));
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT body FROM notes")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("initialized");
        }
    }

    /** A step at which a real component is made to fail after (or before) doing its real work. */
    enum Failure {
        VERIFY(ErrorCode.VERIFY_FAILED),
        INITIALIZE(ErrorCode.INITIALIZE_FAILED),
        STORE(ErrorCode.STORE_FAILED);

        final ErrorCode expected;

        Failure(ErrorCode expected) {
            this.expected = expected;
        }
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void failureAfterTheDatabaseExistsLeavesNoDatabaseRoleOrRows(Failure failure) throws Exception {
        AtomicReference<String> databaseName = new AtomicReference<>();
        AtomicReference<UUID> tenantId = new AtomicReference<>();
        TenantProvisioner.Builder builder = real.builder().tenantStore(new RecordingStore(real.store, tenantId,
                failure == Failure.STORE));
        switch (failure) {
            case VERIFY -> builder.connectionVerifier(failingAfter(real.verifier, databaseName));
            case INITIALIZE -> builder.databaseInitializer(failingAfter(new SqlScriptInitializer(real.connector,
                    getClass().getClassLoader(), List.of("io/tenantdb/provisioning/postgres/tenant-notes.sql")),
                    databaseName));
            case STORE -> builder.connectionVerifier(recording(real.verifier, databaseName));
        }

        ProvisioningException thrown = catchThrowableOfType(ProvisioningException.class,
                () -> builder.build().provision(ACME));

        assertThat(thrown).isNotNull();
        assertThat(thrown.code()).isEqualTo(failure.expected);
        assertThat(thrown.getSuppressed()).isEmpty();
        assertThat(databaseName.get()).startsWith(real.prefix);
        assertThat(tenantId.get()).isNotNull();
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(real.controlRows(tenantId.get())).isZero();
    }

    @Test
    void twentyConcurrentProvisionsYieldTwentyDistinctWorkingDatabases() throws Exception {
        TenantProvisioner provisioner = real.builder().build();
        int count = 20;
        ExecutorService pool = Executors.newFixedThreadPool(count);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Tenant>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                TenantRequest request = new TenantRequest("tenant " + i, Environment.DEVELOPMENT);
                futures.add(pool.submit(() -> {
                    start.await();
                    return provisioner.provision(request);
                }));
            }
            start.countDown();
            List<Tenant> tenants = new ArrayList<>();
            for (Future<Tenant> future : futures) {
                tenants.add(future.get());
            }

            assertThat(tenants).extracting(Tenant::databaseName).doesNotHaveDuplicates().hasSize(count);
            assertThat(real.databasesWithPrefix()).containsExactlyInAnyOrderElementsOf(
                    tenants.stream().map(Tenant::databaseName).toList());
            for (Tenant tenant : tenants) {
                assertThat(real.verifier.verify(real.storedDetails(tenant.id()))).startsWith("PostgreSQL");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void duplicateNameInSameEnvironmentIsRefusedWithNothingLeftBehind() throws Exception {
        TenantProvisioner provisioner = real.builder().build();
        Tenant first = provisioner.provision(ACME);

        ProvisioningException thrown = catchThrowableOfType(ProvisioningException.class,
                () -> provisioner.provision(new TenantRequest("ACME", Environment.PRODUCTION)));

        assertThat(thrown.code()).isEqualTo(ErrorCode.DUPLICATE_TENANT);
        assertThat(real.databasesWithPrefix()).containsExactly(first.databaseName());
        assertThat(real.rolesWithPrefix()).containsExactly(first.databaseName());
        assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT count(*) FROM control_plane.tenants")).containsExactly("1");
        assertThat(provisioner.provision(new TenantRequest("ACME", Environment.STAGING)).status())
                .isEqualTo(TenantStatus.ACTIVE);
    }

    @Test
    void twoRacingRequestsForTheSameNameYieldExactlyOneTenant() throws Exception {
        TenantProvisioner provisioner = real.builder().build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Optional<Tenant>>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        return Optional.of(provisioner.provision(new TenantRequest("Racer", Environment.STAGING)));
                    } catch (ProvisioningException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_TENANT);
                        return Optional.<Tenant>empty();
                    }
                }));
            }
            start.countDown();
            List<Tenant> winners = new ArrayList<>();
            for (Future<Optional<Tenant>> future : futures) {
                future.get().ifPresent(winners::add);
            }

            assertThat(winners).hasSize(1);
            assertThat(real.databasesWithPrefix()).containsExactly(winners.get(0).databaseName());
            assertThat(real.rolesWithPrefix()).containsExactly(winners.get(0).databaseName());
        } finally {
            pool.shutdownNow();
        }
    }

    private static ConnectionVerifier failingAfter(ConnectionVerifier delegate, AtomicReference<String> seen) {
        return details -> {
            seen.set(details.database());
            delegate.verify(details);
            throw new SQLException("injected after a successful verify", "XX000");
        };
    }

    private static DatabaseInitializer failingAfter(DatabaseInitializer delegate, AtomicReference<String> seen) {
        return details -> {
            seen.set(details.database());
            delegate.initialize(details);
            throw new SQLException("injected after a successful initialize", "XX000");
        };
    }

    private static ConnectionVerifier recording(ConnectionVerifier delegate, AtomicReference<String> seen) {
        return details -> {
            seen.set(details.database());
            return delegate.verify(details);
        };
    }

    /** Delegates to the real store, records the tenant id, and optionally fails after a committed activation. */
    private record RecordingStore(TenantStore delegate, AtomicReference<UUID> seen, boolean failAfterActivate)
            implements TenantStore {

        @Override
        public boolean reserve(Tenant tenant) throws SQLException {
            seen.set(tenant.id());
            return delegate.reserve(tenant);
        }

        @Override
        public void advance(UUID tenantId, String step) throws SQLException {
            delegate.advance(tenantId, step);
        }

        @Override
        public void activate(UUID tenantId, StoredDatabase database) throws SQLException {
            delegate.activate(tenantId, database);
            if (failAfterActivate) {
                // As when the connection drops after COMMIT: the rows are written, the caller sees a failure.
                throw new SQLException("injected after a committed activation", "XX000");
            }
        }

        @Override
        public void release(UUID tenantId) throws SQLException {
            delegate.release(tenantId);
        }

        @Override
        public Optional<Tenant> find(UUID tenantId) throws SQLException {
            return delegate.find(tenantId);
        }

        @Override
        public Optional<StoredDatabase> findDatabase(UUID tenantId) throws SQLException {
            return delegate.findDatabase(tenantId);
        }

        @Override
        public TenantPage list(TenantQuery query) throws SQLException {
            return delegate.list(query);
        }

        @Override
        public Optional<Tenant> beginDeletion(UUID tenantId) throws SQLException {
            return delegate.beginDeletion(tenantId);
        }

        @Override
        public void finishDeletion(UUID tenantId) throws SQLException {
            delegate.finishDeletion(tenantId);
        }

        @Override
        public boolean replaceSecret(UUID tenantId, String expected, SealedValue replacement) throws SQLException {
            return delegate.replaceSecret(tenantId, expected, replacement);
        }

        @Override
        public List<StoredSecret> secretsNotSealedBy(String keyId, UUID after, int limit) throws SQLException {
            return delegate.secretsNotSealedBy(keyId, after, limit);
        }
    }
}
