package io.tenantdb.provisioning.pool;

import io.tenantdb.provisioning.SslMode;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.postgres.TestCertificates;
import io.tenantdb.provisioning.testing.DedicatedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenants whose connection strings say {@code sslmode=verify-full}, on a server with {@code ssl=on} whose
 * certificate a test CA signed for {@code localhost} and whose {@code pg_hba.conf} refuses tenant sessions without
 * TLS: the pools connect with the CA file of the connector they are given, the same connector the verifier uses.
 */
class TenantDataSourcesTlsTest {

    @TempDir
    static Path certificates;
    private static TestCertificates files;
    private static DedicatedPostgres server;
    private static PoolTestbed bed;
    private static Tenant tenant;

    @BeforeAll
    static void provisionOverTls() throws Exception {
        files = TestCertificates.create(certificates);
        server = DedicatedPostgres.start(
                Map.of("ssl", "on",
                        "ssl_cert_file", files.serverCertificate().toString(),
                        "ssl_key_file", files.serverKey().toString()),
                List.of("hostnossl all all all reject",
                        "hostssl all all all scram-sha-256"));
        bed = new PoolTestbed(server.server(), "localhost", Optional.of(SslMode.VERIFY_FULL), connector());
        tenant = bed.provision(1, 1).get(0);
    }

    @AfterAll
    static void stopServer() throws Exception {
        try {
            bed.close();
        } finally {
            server.close();
        }
    }

    @Test
    void poolsGivenTheVerifiersConnectorConnectOverVerifiedTls() throws Exception {
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections).connector(connector()).build();
             Connection connection = sources.dataSource(tenant.id()).getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_database(), ssl FROM pg_stat_ssl"
                     + " WHERE pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(tenant.databaseName());
            assertThat(rs.getBoolean(2)).isTrue();
        }
    }

    @Test
    void withoutTheCaFileThePoolsRefuseTheServersCertificate() {
        try (TenantDataSources sources = TenantDataSources.builder(bed.connections)
                .connectionTimeout(Duration.ofMillis(500)).build()) {
            assertThatThrownBy(() -> sources.dataSource(tenant.id()).getConnection().close())
                    .isInstanceOf(SQLException.class);
        }
    }

    private static TenantConnector connector() {
        return TenantConnector.withDefaults().withSslRootCert(files.caCertificate());
    }
}
