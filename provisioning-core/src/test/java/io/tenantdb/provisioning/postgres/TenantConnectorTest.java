package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.SslMode;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantConnectorTest {

    private static final ConnectionDetails TENANT = new ConnectionDetails("db.internal", 6432, "car_x", "car_x", "pw");

    @Test
    void aGivenDriverGetsTheTenantsUrlCredentialsAndTimeouts() {
        AtomicReference<String> url = new AtomicReference<>();
        AtomicReference<Properties> properties = new AtomicReference<>();
        Driver refusing = new RecordingDriver(url, properties);

        assertThatThrownBy(() -> new TenantConnector(refusing, Duration.ofSeconds(3), Duration.ofSeconds(7))
                .open(TENANT))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"));

        assertThat(url).hasValue("jdbc:postgresql://db.internal:6432/car_x");
        assertThat(properties.get()).containsEntry("user", "car_x").containsEntry("password", "pw")
                .containsEntry("connectTimeout", "3").containsEntry("socketTimeout", "7");
    }

    @Test
    void theStatedSslModeGoesInTheUrlAndTheRootCertificateInTheProperties() {
        AtomicReference<String> url = new AtomicReference<>();
        AtomicReference<Properties> properties = new AtomicReference<>();
        TenantConnector connector = new TenantConnector(new RecordingDriver(url, properties), Duration.ofSeconds(3),
                Duration.ofSeconds(7)).withSslRootCert(Path.of("/etc/tenantdb/ca.pem"));
        ConnectionDetails tls = new ConnectionDetails("db.internal", 6432, "car_x", "car_x", "pw",
                Optional.of(SslMode.VERIFY_FULL));

        assertThatThrownBy(() -> connector.open(tls)).isInstanceOf(SQLException.class);

        assertThat(url).hasValue("jdbc:postgresql://db.internal:6432/car_x?sslmode=verify-full");
        assertThat(properties.get()).containsEntry("sslrootcert", "/etc/tenantdb/ca.pem")
                .containsEntry("connectTimeout", "3").containsEntry("socketTimeout", "7")
                .doesNotContainKey("sslmode");
    }

    @Test
    void itsDataSourceOpensTheTenantsConnectionsAndNamesOnlyTheDatabase() {
        AtomicReference<String> url = new AtomicReference<>();
        AtomicReference<Properties> properties = new AtomicReference<>();
        DataSource dataSource = new TenantConnector(new RecordingDriver(url, properties), Duration.ofSeconds(3),
                Duration.ofSeconds(7)).dataSource(TENANT);

        assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> dataSource.getConnection("postgres", "x"))
                .isInstanceOf(SQLFeatureNotSupportedException.class);

        assertThat(url).hasValue("jdbc:postgresql://db.internal:6432/car_x");
        assertThat(properties.get()).containsEntry("user", "car_x");
        assertThat(dataSource.toString()).isEqualTo("TenantDataSource[car_x]").doesNotContain("pw");
    }

    @Test
    void overridesWinOverTheConnectorsOwnPropertiesAndKeepTheRootCertificate() {
        AtomicReference<String> url = new AtomicReference<>();
        AtomicReference<Properties> properties = new AtomicReference<>();
        TenantConnector connector = new TenantConnector(new RecordingDriver(url, properties), Duration.ofSeconds(3),
                Duration.ofSeconds(7)).withSslRootCert(Path.of("/etc/tenantdb/ca.pem"));

        assertThatThrownBy(() -> connector.open(TENANT, Map.of("ApplicationName", "tenantdb-pool", "socketTimeout",
                "60"))).isInstanceOf(SQLException.class);

        assertThat(properties.get()).containsEntry("ApplicationName", "tenantdb-pool")
                .containsEntry("socketTimeout", "60").containsEntry("sslrootcert", "/etc/tenantdb/ca.pem")
                .containsEntry("user", "car_x");
    }

    @Test
    void timeoutsUnderOneSecondAreRefused() {
        assertThatThrownBy(() -> new TenantConnector(Duration.ofMillis(500), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
    }

    /** Records what it was asked and, like a driver for another scheme, returns null. */
    private record RecordingDriver(AtomicReference<String> url, AtomicReference<Properties> properties)
            implements Driver {
        @Override
        public java.sql.Connection connect(String jdbcUrl, Properties info) {
            url.set(jdbcUrl);
            properties.set(info);
            return null;
        }

        @Override
        public boolean acceptsURL(String jdbcUrl) {
            return false;
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String jdbcUrl, Properties info) {
            return new DriverPropertyInfo[0];
        }

        @Override
        public int getMajorVersion() {
            return 0;
        }

        @Override
        public int getMinorVersion() {
            return 0;
        }

        @Override
        public boolean jdbcCompliant() {
            return false;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }
    }
}
