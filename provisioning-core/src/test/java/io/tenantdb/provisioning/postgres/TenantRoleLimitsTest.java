package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each tenant role's connection limit and settings, on the shared server. */
@ExtendWith(RealProvisioningExtension.class)
class TenantRoleLimitsTest {

    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) throws SQLException {
        this.real = real;
    }

    @Test
    void tenantRolesGetTwentyConnectionsByDefault() throws Exception {
        Tenant tenant = real.builder().build().provision(new TenantRequest("Default limit", Environment.STAGING));

        assertThat(connectionLimit(tenant.databaseName())).isEqualTo(20);
    }

    @Test
    void minusOneLeavesTheRoleUnlimited() throws Exception {
        String name = real.prefix + "unlimited";

        creator().connectionLimit(-1).build().create(UUID.randomUUID(), name, name);

        assertThat(connectionLimit(name)).isEqualTo(-1);
    }

    @Test
    void aTenantAtItsLimitIsRefusedWhileAnotherTenantIsStillProvisioned() throws Exception {
        TenantProvisioner provisioner = real.builder().databaseCreator(creator().connectionLimit(3).build()).build();
        Tenant a = provisioner.provision(new TenantRequest("Greedy", Environment.PRODUCTION));
        ConnectionDetails aDetails = real.storedDetails(a.id());
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(real.connector.open(aDetails));
            }

            Tenant b = provisioner.provision(new TenantRequest("Neighbour", Environment.PRODUCTION));

            assertThat(b.status()).isEqualTo(TenantStatus.ACTIVE);
            assertThat(real.verifier.verify(real.storedDetails(b.id()))).startsWith("PostgreSQL");
            assertThatThrownBy(() -> real.connector.open(aDetails).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("53300"));
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
        assertThat(real.verifier.verify(aDetails)).startsWith("PostgreSQL");
    }

    @Test
    void roleSettingsApplyToEverySessionOfTheTenantWithTheValueSentVerbatim() throws Exception {
        String tricky = "it's a \\'quote\\' -- ; DROP ROLE x; \\\\";
        String name = real.prefix + "settings";
        ConnectionDetails details = creator()
                .roleSetting("statement_timeout", "1500ms")
                .roleSetting("idle_in_transaction_session_timeout", "10s")
                .roleSetting("tenantdb.note", tricky)
                .build().create(UUID.randomUUID(), name, name);

        try (Connection connection = real.connector.open(details); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SHOW statement_timeout")).isEqualTo("1500ms");
            assertThat(single(statement, "SHOW idle_in_transaction_session_timeout")).isEqualTo("10s");
            assertThat(single(statement, "SELECT current_setting('tenantdb.note')")).isEqualTo(tricky);
        }
    }

    @Test
    void aSettingTheServerRefusesFailsTheCreationAndLeavesNoRole() throws SQLException {
        String name = real.prefix + "refused";
        PostgresDatabaseCreator creator = creator().roleSetting("statement_timeout", "not a duration").build();

        assertThatThrownBy(() -> creator.create(UUID.randomUUID(), name, name))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"));
        assertThat(real.rolesWithPrefix()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {-2, 0, Integer.MIN_VALUE})
    void connectionLimitsThatCouldNeverVerifyAreRefused(int limit) {
        assertThatThrownBy(() -> creator().connectionLimit(limit))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Statement_timeout", "1abc", "a b", "a-b", "a;b", "a'b", "a\"b", ".a", "ünï",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void roleSettingNamesOutsideTheStrictPatternAreRefused(String name) {
        assertThatThrownBy(() -> creator().roleSetting(name, "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[a-z_]");
    }

    @Test
    void roleSettingValuesWithNulAreRefused() {
        assertThatThrownBy(() -> creator().roleSetting("application_name", "a\0b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> creator().roleSetting("application_name", null))
                .isInstanceOf(NullPointerException.class);
    }

    private PostgresDatabaseCreator.Builder creator() throws SQLException {
        return PostgresDatabaseCreator.builder(real.postgres.adminDataSource(), real.store.controlPlaneId())
                .tenantEndpoint(real.postgres.host(), real.postgres.port());
    }

    private int connectionLimit(String role) throws SQLException {
        return Integer.parseInt(Sql.strings(real.postgres.adminDataSource(),
                "SELECT rolconnlimit FROM pg_roles WHERE rolname = ?", role).get(0));
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
