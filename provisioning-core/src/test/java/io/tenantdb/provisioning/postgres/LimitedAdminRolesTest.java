package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The role operations with the least admin a deployment may give: {@code CREATEDB CREATEROLE}, no superuser
 * ({@link LimitedAdmin}). Such an admin must {@code GRANT} itself each tenant role before it can create a database
 * owned by it (security.md); dropping the role ends the membership.
 */
@ExtendWith(PostgresExtension.class)
class LimitedAdminRolesTest {

    private RealProvisioning real;
    private LimitedAdmin admin;

    @BeforeEach
    void setUp(TestPostgres postgres) throws SQLException {
        real = new RealProvisioning(postgres);
        admin = new LimitedAdmin(postgres);
    }

    @AfterEach
    void tearDown() throws SQLException {
        real.close();
        admin.close();
    }

    @Test
    void aLimitedAdminProvisionsATenantItIsAMemberOfAndDeprovisioningEndsTheMembership() throws Exception {
        TenantProvisioner provisioner =
                real.builder().databaseCreator(admin.creator(real.store.controlPlaneId())).build();

        Tenant tenant = provisioner.provision(new TenantRequest("Limited", Environment.PRODUCTION));

        String role = tenant.databaseName();
        assertThat(single("SELECT pg_has_role(?, ?, 'MEMBER')", admin.role, role)).isEqualTo("t");
        assertThat(single("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?", role)).isEqualTo(role);
        assertThat(single("SELECT concat_ws(',', rolsuper, rolcreatedb, rolcreaterole, rolconnlimit)"
                + " FROM pg_roles WHERE rolname = ?", role)).isEqualTo("f,f,f,20");
        assertThat(real.verifier.verify(real.storedDetails(tenant.id()))).startsWith("PostgreSQL");

        assertThat(provisioner.deprovision(tenant.id()).status()).isEqualTo(TenantStatus.DELETED);

        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
        assertThat(single("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
                + " WHERE r.rolname = ?", admin.role)).isEqualTo("0");
    }

    @Test
    void aLimitedAdminRotatesAndRestoresATenantPassword() throws Exception {
        PostgresDatabaseCreator creator = admin.creator(real.store.controlPlaneId());
        String name = real.prefix + "limited_rotate";
        ConnectionDetails first = creator.create(UUID.randomUUID(), name, name);

        ConnectionDetails next = creator.rotatePassword(name, name);
        assertThat(real.verifier.verify(next)).startsWith("PostgreSQL");
        assertThatThrownBy(() -> real.verifier.verify(first))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));

        creator.restorePassword(first);
        assertThat(real.verifier.verify(first)).startsWith("PostgreSQL");
    }

    @Test
    void aLimitedAdminAppliesTheConnectionLimitAndRoleSettings() throws Exception {
        PostgresDatabaseCreator creator = PostgresDatabaseCreator
                .builder(admin.dataSource(), real.store.controlPlaneId())
                .tenantEndpoint(real.postgres.host(), real.postgres.port())
                .connectionLimit(2)
                .roleSetting("statement_timeout", "1500ms")
                .build();
        String name = real.prefix + "limited_settings";

        ConnectionDetails details = creator.create(UUID.randomUUID(), name, name);

        assertThat(single("SELECT rolconnlimit FROM pg_roles WHERE rolname = ?", name)).isEqualTo("2");
        try (Connection connection = real.connector.open(details); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW statement_timeout")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("1500ms");
        }
        creator.drop(UUID.randomUUID(), name, name);
        assertThat(real.rolesWithPrefix()).as("a drop for another tenant id leaves the role").containsExactly(name);
    }

    private String single(String sql, String... parameters) throws SQLException {
        return Sql.strings(real.postgres.adminDataSource(), sql, parameters).get(0);
    }
}
