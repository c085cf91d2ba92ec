package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant A, logged in with its own decrypted credentials, attacks tenant B and the control plane on a real server.
 * Every attempt must be refused with the SQLState PostgreSQL gives for it (42501 insufficient_privilege unless said
 * otherwise), and B must be untouched afterwards. The attempts that involve roles run twice: with a superuser
 * admin, and with a CREATEDB CREATEROLE admin, which makes each tenant role through {@code GRANT … TO CURRENT_USER}
 * and, since PostgreSQL 16, also holds ADMIN OPTION on it.
 */
@ExtendWith(PostgresExtension.class)
class TenantIsolationTest {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    enum Admin { SUPERUSER, CREATEDB_CREATEROLE }

    private TestPostgres postgres;
    private RealProvisioning real;
    private LimitedAdmin limitedAdmin;
    private Tenant a;
    private Tenant b;
    private ConnectionDetails aDetails;
    private ConnectionDetails bDetails;

    @BeforeEach
    void setUp(TestPostgres postgres) throws SQLException {
        this.postgres = postgres;
        this.real = new RealProvisioning(postgres);
    }

    @AfterEach
    void tearDown() throws SQLException {
        try {
            real.close();
        } finally {
            if (limitedAdmin != null) {
                limitedAdmin.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void tenantCannotConnectToAnotherTenantsDatabase(Admin admin) throws Exception {
        provisionTwoTenants(admin);

        // The server refuses at login: A has no CONNECT on B's database and PUBLIC's was revoked.
        assertThatThrownBy(() -> real.connector.open(as(aDetails, b.databaseName())).close())
                .isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
    }

    @Test
    void tenantCannotConnectToTheControlPlaneDatabase() throws Exception {
        provisionTwoTenants(Admin.SUPERUSER);

        // migrate() revoked PUBLIC's CONNECT, so the login itself fails before any catalog or table is in reach.
        assertThatThrownBy(() -> real.connector.open(as(aDetails, real.controlDatabase)).close())
                .isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
    }

    @Test
    void tenantLetIntoTheControlDatabaseStillCannotReadControlPlaneTables() throws Exception {
        provisionTwoTenants(Admin.SUPERUSER);
        // As on a control database whose admin could not revoke PUBLIC's CONNECT (it does not own it): A gets in.
        String grant = " CONNECT ON DATABASE " + Identifiers.quote(real.controlDatabase);
        adminExecute("GRANT" + grant + " TO " + role(a));
        try (Connection connection = real.connector.open(as(aDetails, real.controlDatabase))) {
            // The schema belongs to the admin and grants nothing to PUBLIC: no USAGE, so no table in it is reachable.
            assertRefused(connection, "SELECT * FROM control_plane.tenants", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "SELECT connection_string_encrypted FROM control_plane.tenant_databases",
                    INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "UPDATE control_plane.tenants SET status = 'deleted'", INSUFFICIENT_PRIVILEGE);
        } finally {
            // A role with a grant on a database cannot be dropped; clean-up drops A's role before this database.
            adminExecute("REVOKE" + grant + " FROM " + role(a));
        }
    }

    @Test
    void tenantCannotReachTheControlPlaneFromItsOwnDatabase() throws Exception {
        provisionTwoTenants(Admin.SUPERUSER);

        try (Connection connection = real.connector.open(aDetails)) {
            // A session sees one database only: a three-part name is refused (0A000 feature_not_supported), and the
            // control_plane schema does not exist in A's database (42P01 undefined_table).
            assertRefused(connection, "SELECT * FROM " + Identifiers.quote(real.controlDatabase)
                    + ".control_plane.tenants", "0A000");
            assertRefused(connection, "SELECT * FROM control_plane.tenants", "42P01");
        }
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void tenantCannotGrantItselfAnotherTenantsRoleNorSetRoleToIt(Admin admin) throws Exception {
        provisionTwoTenants(admin);

        try (Connection connection = real.connector.open(aDetails)) {
            assertRefused(connection, "GRANT " + role(b) + " TO " + role(a), INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "GRANT " + role(b) + " TO CURRENT_USER", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "SET ROLE " + role(b), INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "SET SESSION AUTHORIZATION " + role(b), INSUFFICIENT_PRIVILEGE);
        }
        assertThat(Sql.strings(postgres.adminDataSource(),
                "SELECT count(*) FROM pg_auth_members WHERE member = ?::regrole", a.databaseName()))
                .containsExactly("0");
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void tenantCannotCreateRolesOrDatabases(Admin admin) throws Exception {
        provisionTwoTenants(admin);

        try (Connection connection = real.connector.open(aDetails)) {
            assertRefused(connection, "CREATE ROLE " + Identifiers.quote(real.prefix + "sneaky") + " LOGIN",
                    INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "CREATE DATABASE " + Identifiers.quote(real.prefix + "sneaky"),
                    INSUFFICIENT_PRIVILEGE);
        }
        assertThat(real.rolesWithPrefix()).containsExactlyInAnyOrder(a.databaseName(), b.databaseName());
        assertThat(real.databasesWithPrefix()).containsExactlyInAnyOrder(a.databaseName(), b.databaseName());
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void tenantCannotLiftItsOwnConnectionLimitNorGrantItselfPowers(Admin admin) throws Exception {
        provisionTwoTenants(admin);
        String before = roleAttributes(a);

        try (Connection connection = real.connector.open(aDetails)) {
            assertRefused(connection, "ALTER ROLE " + role(a) + " CONNECTION LIMIT -1", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "ALTER ROLE " + role(a) + " CONNECTION LIMIT 1000", INSUFFICIENT_PRIVILEGE);
            for (String power : new String[] {"SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"}) {
                assertRefused(connection, "ALTER ROLE " + role(a) + " " + power, INSUFFICIENT_PRIVILEGE);
            }
        }
        assertThat(roleAttributes(a)).isEqualTo(before).endsWith(",f,f,f,f,f");
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void tenantCannotChangeAnotherTenantsPasswordOrDropItsRole(Admin admin) throws Exception {
        provisionTwoTenants(admin);

        try (Connection connection = real.connector.open(aDetails)) {
            assertRefused(connection, "ALTER ROLE " + role(b) + " PASSWORD 'taken-over'", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "ALTER ROLE " + role(b) + " NOLOGIN", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "DROP ROLE " + role(b), INSUFFICIENT_PRIVILEGE);
        }
        // B's stored credentials still log in.
        assertThat(real.verifier.verify(bDetails)).startsWith("PostgreSQL");
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void tenantCannotDropOrTakeOverAnotherTenantsDatabase(Admin admin) throws Exception {
        provisionTwoTenants(admin);

        try (Connection connection = real.connector.open(aDetails)) {
            assertRefused(connection, "DROP DATABASE " + role(b), INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "ALTER DATABASE " + role(b) + " OWNER TO " + role(a), INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "GRANT CONNECT ON DATABASE " + role(b) + " TO " + role(a),
                    INSUFFICIENT_PRIVILEGE);
        }
        assertThat(real.databasesWithPrefix()).contains(b.databaseName());
        assertThat(real.verifier.verify(bDetails)).startsWith("PostgreSQL");
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void tenantCannotTerminateOrCancelAnotherTenantsSessions(Admin admin) throws Exception {
        provisionTwoTenants(admin);

        try (Connection bSession = real.connector.open(bDetails);
             Connection connection = real.connector.open(aDetails)) {
            int bPid = intOf(bSession, "SELECT pg_backend_pid()");
            // pg_stat_activity shows every session's pid, database and user to everyone; what B runs stays hidden.
            assertThat(Sql.strings(postgres.dataSource(a.databaseName(), aDetails.user(),
                    aDetails.password()), "SELECT concat_ws(',', usename, datname, coalesce(query, '<null>'))"
                    + " FROM pg_stat_activity WHERE pid = " + bPid))
                    .containsExactly(b.databaseName() + "," + b.databaseName() + ",<insufficient privilege>");

            assertRefused(connection, "SELECT pg_terminate_backend(" + bPid + ")", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "SELECT pg_cancel_backend(" + bPid + ")", INSUFFICIENT_PRIVILEGE);

            assertThat(intOf(bSession, "SELECT pg_backend_pid()")).isEqualTo(bPid);
        }
    }

    @Test
    void tenantCannotPlantObjectsInTheTemplateEveryNewTenantDatabaseIsCopiedFrom() throws Exception {
        provisionTwoTenants(Admin.SUPERUSER);

        // PUBLIC may connect to template1 by default. Anything A could create there would appear in every database
        // provisioned later, owned by A. PostgreSQL 15 closed the public schema to PUBLIC; a cluster upgraded or
        // restored from 14 or older keeps the old grant, and then this test fails (see docs/security.md).
        try (Connection connection = real.connector.open(as(aDetails, "template1"))) {
            assertRefused(connection, "CREATE TABLE public.planted (x int)", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "CREATE FUNCTION public.planted() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                    INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "CREATE SCHEMA planted", INSUFFICIENT_PRIVILEGE);
        }
    }

    @Test
    void tenantCannotUseServerLevelPowers() throws Exception {
        provisionTwoTenants(Admin.SUPERUSER);

        try (Connection connection = real.connector.open(aDetails)) {
            // Reading the server's files, running programs on it, or changing its configuration.
            assertRefused(connection, "SELECT pg_read_file('postgresql.conf')", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "CREATE TEMP TABLE loot (line text); COPY loot FROM PROGRAM 'id'",
                    INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "ALTER SYSTEM SET log_statement = 'none'", INSUFFICIENT_PRIVILEGE);
            assertRefused(connection, "SELECT pg_reload_conf()", INSUFFICIENT_PRIVILEGE);
        }
    }

    private void provisionTwoTenants(Admin admin) throws Exception {
        TenantProvisioner.Builder builder = real.builder();
        if (admin == Admin.CREATEDB_CREATEROLE) {
            limitedAdmin = new LimitedAdmin(postgres);
            builder.databaseCreator(limitedAdmin.creator(real.store.controlPlaneId()));
        }
        TenantProvisioner provisioner = builder.build();
        a = provisioner.provision(new TenantRequest("Tenant A", Environment.PRODUCTION));
        b = provisioner.provision(new TenantRequest("Tenant B", Environment.PRODUCTION));
        aDetails = real.storedDetails(a.id());
        bDetails = real.storedDetails(b.id());
        assertThat(aDetails.user()).isEqualTo(a.databaseName());
        if (admin == Admin.CREATEDB_CREATEROLE) {
            // The path under test: the limited admin is a member of each tenant role it made.
            assertThat(Sql.strings(postgres.adminDataSource(),
                    "SELECT pg_has_role(?, ?, 'MEMBER')", limitedAdmin.role, a.databaseName()))
                    .containsExactly("t");
        }
    }

    private static ConnectionDetails as(ConnectionDetails details, String database) {
        return new ConnectionDetails(details.host(), details.port(), database, details.user(), details.password());
    }

    private static String role(Tenant tenant) {
        return Identifiers.quote(tenant.databaseName());
    }

    private String roleAttributes(Tenant tenant) throws SQLException {
        return Sql.strings(postgres.adminDataSource(), "SELECT concat_ws(',', rolconnlimit, rolsuper,"
                + " rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) FROM pg_roles WHERE rolname = ?",
                tenant.databaseName()).get(0);
    }

    private void adminExecute(String sql) throws SQLException {
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int intOf(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void assertRefused(Connection connection, String sql, String sqlState) {
        assertThatThrownBy(() -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }).as(sql).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(sqlState));
    }
}
