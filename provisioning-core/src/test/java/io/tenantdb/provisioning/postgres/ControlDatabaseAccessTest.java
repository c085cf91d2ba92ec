package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(RealProvisioningExtension.class)
class ControlDatabaseAccessTest {

    private static final String PUBLIC_CAN_CONNECT = "SELECT has_database_privilege('public', ?, 'CONNECT')";

    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) {
        this.real = real;
    }

    @Test
    void afterMigrateATenantRoleCannotConnectToTheControlDatabase() throws Exception {
        String name = real.prefix + "probe";
        ConnectionDetails own = real.creator.create(UUID.randomUUID(), name, name);
        ConnectionDetails intoControl = new ConnectionDetails(own.host(), own.port(), real.controlDatabase,
                own.user(), own.password());

        assertThat(Sql.strings(real.postgres.adminDataSource(), PUBLIC_CAN_CONNECT, real.controlDatabase))
                .containsExactly("f");
        assertThatThrownBy(() -> real.connector.open(intoControl).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        real.connector.open(own).close();
    }

    @Test
    void migratingTwiceAppliesNothingAndTheAdminStillConnects() throws Exception {
        assertThat(real.store.migrate()).isZero();

        assertThat(real.store.migrate()).isZero();
        assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase), "SELECT current_user"))
                .containsExactly(real.postgres.adminUser());
        assertThat(Sql.strings(real.postgres.adminDataSource(), PUBLIC_CAN_CONNECT, real.controlDatabase))
                .containsExactly("f");
    }

    @Test
    void nonSuperuserAdminThatOwnsTheControlDatabaseRevokesPublicConnectAndKeepsItsOwn() throws Exception {
        try (LimitedAdmin admin = new LimitedAdmin(real.postgres)) {
            JdbcTenantStore store = new JdbcTenantStore(admin.dataSource());

            assertThat(store.migrate()).isEqualTo(SchemaMigrator.SCRIPTS.size());

            assertThat(Sql.strings(real.postgres.adminDataSource(), PUBLIC_CAN_CONNECT, admin.role))
                    .containsExactly("f");
            // A new session as the owner, through its own grant rather than PUBLIC's.
            assertThat(store.migrate()).isZero();
            assertThat(Sql.strings(admin.dataSource(), "SELECT current_user"))
                    .containsExactly(admin.role);
        }
    }

    @Test
    void nonSuperuserAdminThatDoesNotOwnTheControlDatabaseMigratesAndLeavesPublicConnectAlone() throws Exception {
        try (LimitedAdmin admin = new LimitedAdmin(real.postgres)) {
            String control = real.postgres.createDatabase("control_");
            try {
                execute("GRANT CREATE ON DATABASE " + Identifiers.quote(control)
                        + " TO " + Identifiers.quote(admin.role));
                JdbcTenantStore store = new JdbcTenantStore(admin.dataSource(control));

                assertThat(store.migrate()).isEqualTo(SchemaMigrator.SCRIPTS.size());

                assertThat(store.migrate()).isZero();
                assertThat(Sql.strings(real.postgres.adminDataSource(), PUBLIC_CAN_CONNECT, control))
                        .containsExactly("t");
            } finally {
                execute("DROP DATABASE " + Identifiers.quote(control) + " WITH (FORCE)");
            }
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = real.postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
