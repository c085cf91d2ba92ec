package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.SslMode;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant connection strings that carry {@code sslmode}, against a server with {@code ssl=on} whose certificate,
 * signed by a CA this test makes, names {@code localhost} only, and whose {@code pg_hba.conf} refuses every tenant
 * connection without TLS.
 */
class TenantTlsTest {

    private static final TenantRequest ACME = new TenantRequest("Acme TLS", Environment.PRODUCTION);

    @TempDir
    static Path certificates;
    private static TestCertificates files;
    @RegisterExtension
    static final RealProvisioningExtension TLS_SERVER =
            RealProvisioningExtension.onDedicatedServer(TenantTlsTest::startTlsServer);

    private RealProvisioning real;

    private static DedicatedPostgres startTlsServer() throws Exception {
        files = TestCertificates.create(certificates);
        return DedicatedPostgres.start(
                Map.of("ssl", "on",
                        "ssl_cert_file", files.serverCertificate().toString(),
                        "ssl_key_file", files.serverKey().toString()),
                List.of("hostnossl all all all reject",
                        "hostssl all all all scram-sha-256"));
    }

    @BeforeEach
    void setUp(RealProvisioning real) {
        this.real = real;
    }

    @Test
    void verifyFullSucceedsForTheHostTheCertificateNamesAndIsStored() throws Exception {
        Tenant tenant = provisioner("localhost", SslMode.VERIFY_FULL, true).provision(ACME);

        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        ConnectionDetails stored = real.storedDetails(tenant.id());
        assertThat(stored.toUri()).endsWith("/" + tenant.databaseName() + "?sslmode=verify-full")
                .doesNotContain(files.caCertificate().toString());
        assertThat(new TenantConnections(real.store, real.cipher).details(tenant.id()).sslMode())
                .contains(SslMode.VERIFY_FULL);
        try (Connection connection = TenantConnector.withDefaults().withSslRootCert(files.caCertificate())
                .open(stored);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }

    @Test
    void verifyFullFailsForAHostTheCertificateDoesNotNameAndLeavesNothing() throws Exception {
        TenantProvisioner provisioner = provisioner("127.0.0.1", SslMode.VERIFY_FULL, true);

        assertThatThrownBy(() -> provisioner.provision(ACME))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFY_FAILED));
        assertNothingLeft();
    }

    @Test
    void verifyCaChecksTheSignatureButNotTheHostName() throws Exception {
        Tenant tenant = provisioner("127.0.0.1", SslMode.VERIFY_CA, true).provision(ACME);

        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(real.storedDetails(tenant.id()).sslMode()).contains(SslMode.VERIFY_CA);
    }

    @Test
    void verifyCaWithoutTheCaCertificateFailsAndLeavesNothing() throws Exception {
        TenantProvisioner provisioner = provisioner("localhost", SslMode.VERIFY_CA, false);

        assertThatThrownBy(() -> provisioner.provision(ACME))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFY_FAILED));
        assertNothingLeft();
    }

    @Test
    void requireConnectsToAServerThatRejectsConnectionsWithoutTls() throws Exception {
        Tenant tenant = provisioner("127.0.0.1", SslMode.REQUIRE, false).provision(ACME);

        assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
        ConnectionDetails stored = real.storedDetails(tenant.id());
        assertThat(stored.sslMode()).contains(SslMode.REQUIRE);
        ConnectionDetails plain = new ConnectionDetails(stored.host(), stored.port(), stored.database(),
                stored.user(), stored.password(), Optional.of(SslMode.DISABLE));
        assertThatThrownBy(() -> TenantConnector.withDefaults().open(plain).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"));
    }

    @Test
    void disableFailsAgainstThatServerAndLeavesNothing() throws Exception {
        TenantProvisioner provisioner = provisioner("localhost", SslMode.DISABLE, false);

        assertThatThrownBy(() -> provisioner.provision(ACME))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.VERIFY_FAILED));
        assertNothingLeft();
    }

    private TenantProvisioner provisioner(String tenantHost, SslMode mode, boolean trustTheCa) throws SQLException {
        TenantConnector connector = trustTheCa
                ? TenantConnector.withDefaults().withSslRootCert(files.caCertificate())
                : TenantConnector.withDefaults();
        return real.builder()
                .databaseCreator(PostgresDatabaseCreator
                        .builder(real.postgres.adminDataSource(), real.store.controlPlaneId())
                        .tenantEndpoint(tenantHost, real.postgres.port())
                        .tenantSslMode(mode)
                        .build())
                .connectionVerifier(new JdbcConnectionVerifier(connector))
                .build();
    }

    private void assertNothingLeft() throws SQLException {
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT count(*) FROM control_plane.tenants")).containsExactly("0");
    }
}
