package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server with no connection slot left for ordinary roles: provisioning is refused as unavailable (a 503 over
 * HTTP) and leaves nothing behind. The server has {@code max_connections = 10}, five of them reserved for
 * superusers; the admin is a superuser, so it can still compensate, while every non-superuser
 * slot is held by another role's sessions.
 */
class FullClusterTest {

    private static final String FILLER = "filler";
    private static final String FILLER_PASSWORD = "filler-password-for-tests";
    @RegisterExtension
    static final RealProvisioningExtension SMALL_SERVER =
            RealProvisioningExtension.onDedicatedServer(FullClusterTest::startSmallServer);

    private RealProvisioning real;
    private final List<Connection> filling = new ArrayList<>();

    private static DedicatedPostgres startSmallServer() throws SQLException {
        // Five slots kept for the superuser admin: its liveness session, the compensation and the test's own checks,
        // with room for a backend that has not yet exited after its connection closed.
        DedicatedPostgres server = DedicatedPostgres.start(
                Map.of("max_connections", "10", "superuser_reserved_connections", "5"),
                List.of("host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256"));
        try (Connection connection = server.server().adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + FILLER + " LOGIN PASSWORD '" + FILLER_PASSWORD + "'");
        }
        return server;
    }

    @BeforeEach
    void setUp(RealProvisioning real) {
        this.real = real;
    }

    @AfterEach
    void release() throws SQLException {
        for (Connection connection : filling) {
            connection.close();
        }
        filling.clear();
    }

    @Test
    void noFreeSlotAtVerifyIsUnavailableAndLeavesNothing() throws Exception {
        TenantProvisioner provisioner = real.builder().build();
        SQLException refusal = fillEveryOrdinarySlot();
        assertThat(refusal.getSQLState()).isEqualTo("53300");

        assertThatThrownBy(() -> provisioner.provision(new TenantRequest("Crowded", Environment.PRODUCTION)))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT count(*) FROM control_plane.tenants")).containsExactly("0");

        release();
        assertThat(provisioner.provision(new TenantRequest("Crowded", Environment.PRODUCTION)).status())
                .isEqualTo(TenantStatus.ACTIVE);
    }

    /** Opens sessions as the filler role until the server refuses one, and returns that refusal. */
    private SQLException fillEveryOrdinarySlot() {
        Properties credentials = new Properties();
        credentials.setProperty("user", FILLER);
        credentials.setProperty("password", FILLER_PASSWORD);
        while (true) {
            try {
                filling.add(DriverManager.getConnection(real.postgres.jdbcUrl("postgres"), credentials));
            } catch (SQLException refused) {
                return refused;
            }
        }
    }
}
