package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerRegistration;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.testing.CapturedLog;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Registration checks and the sealed admin connection, against the shared test server registered under other
 * names (a second name for one cluster is allowed).
 */
@ExtendWith(RealProvisioningExtension.class)
class ServerRegistryTest {

    private RealServers fleet;
    private String limitedRole;

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        fleet = new RealServers(real);
        limitedRole = real.prefix + "nocreate";
        execute("CREATE ROLE " + limitedRole + " LOGIN CREATEDB PASSWORD 'limited-secret'");
    }

    @AfterEach
    void tearDown() throws Exception {
        fleet.close();
        execute("DROP ROLE IF EXISTS " + limitedRole);
    }

    @Test
    void registersAServerWhoseAdminMayCreateDatabasesAndRolesWithoutEverShowingItsUrl() {
        String url = RealServers.adminUrl(fleet.real.postgres);
        try (CapturedLog log = CapturedLog.of("io.tenantdb")) {
            DatabaseServer server = fleet.registry.register(new ServerRegistration("eu-west-2", url,
                    Optional.of("db.internal"), Optional.of(6543), Optional.of(10), Optional.of(3)));

            assertThat(server).isEqualTo(new DatabaseServer("eu-west-2", ServerState.ACTIVE, 3, Optional.of(10),
                    Optional.of("db.internal"), Optional.of(6543), 0, Optional.empty()));
            assertThat(log.text()).doesNotContain(fleet.real.postgres.adminPassword() + "@")
                    .doesNotContain(url);
        }
        assertThat(fleet.registry.list()).extracting(DatabaseServer::name).containsExactly("default", "eu-west-2");
        assertThat(fleet.registry.list().get(1).toString()).doesNotContain(url);
    }

    @Test
    void refusesAServerThatDoesNotAnswerAndStoresNothing() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "postgresql://postgres:postgres@127.0.0.1:" + closedPort + "/postgres";

        assertRefused(url, ErrorCode.SERVER_UNREACHABLE);
    }

    @Test
    void refusesAnAdminWhoseLoginFailsOrWhoLacksCreateroleAndStoresNothing() throws Exception {
        String host = fleet.real.postgres.host() + ":" + fleet.real.postgres.port();

        assertRefused("postgresql://" + limitedRole + ":wrong@" + host + "/postgres", ErrorCode.SERVER_UNREACHABLE);
        assertRefused("postgresql://" + limitedRole + ":limited-secret@" + host + "/postgres",
                ErrorCode.SERVER_NOT_PRIVILEGED);
    }

    @Test
    void refusesANameTakenAndTheDefaultName() {
        fleet.register("second", fleet.real.postgres, 1, Optional.empty());

        assertThatThrownBy(() -> fleet.register("second", fleet.real.postgres, 1, Optional.empty()))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_SERVER));
        assertThatThrownBy(() -> fleet.register("default", fleet.real.postgres, 1, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fleet.register("Robert'); DROP TABLE x;--", fleet.real.postgres, 1,
                Optional.empty())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void changesStateWeightAndLimitAndRemovesTheLimit() {
        fleet.register("second", fleet.real.postgres, 1, Optional.of(5));

        DatabaseServer drained = fleet.registry.change("second", new ServerChange(
                Optional.of(ServerState.DRAINING), Optional.of(7), Optional.empty()));
        assertThat(drained.state()).isEqualTo(ServerState.DRAINING);
        assertThat(drained.weight()).isEqualTo(7);
        assertThat(drained.maxTenants()).contains(5);

        DatabaseServer unlimited = fleet.registry.change("second", new ServerChange(Optional.empty(),
                Optional.empty(), Optional.of(OptionalInt.empty())));
        assertThat(unlimited.maxTenants()).isEmpty();
        assertThat(unlimited.state()).isEqualTo(ServerState.DRAINING);
        assertThatThrownBy(() -> fleet.registry.change("nowhere", new ServerChange(Optional.empty(),
                Optional.of(2), Optional.empty())))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVER_NOT_FOUND));
    }

    @Test
    void anAdminUrlSealedForOneServerDoesNotOpenForAnother() throws Exception {
        fleet.register("first", fleet.real.postgres, 1, Optional.empty());
        fleet.register("second", fleet.real.postgres, 1, Optional.empty());
        Sql.strings(fleet.real.postgres.dataSource(fleet.real.controlDatabase), """
                UPDATE control_plane.servers SET admin_connection_encrypted = f.admin_connection_encrypted,
                       key_id = f.key_id
                  FROM control_plane.servers f
                 WHERE f.name = 'first' AND control_plane.servers.name = 'second' RETURNING 1""");

        // A fresh instance, which must read the admin URL from the control plane.
        RealServers restarted = fleet.anotherInstance();
        assertThat(restarted.directory.creatorFor("first")).isNotNull();
        assertThatThrownBy(() -> restarted.directory.creatorFor("second")).isInstanceOf(SQLException.class);
        assertThat(restarted.directory.answers("second")).isFalse();
    }

    @Test
    void rekeyReSealsEveryAdminUrlUnderTheNewPrimaryKey() throws Exception {
        fleet.register("second", fleet.real.postgres, 1, Optional.empty());
        byte[] raw = new byte[EncryptionKey.LENGTH];
        new SecureRandom().nextBytes(raw);
        EncryptionKey next = EncryptionKey.of(raw);
        AesGcmCipherService rotated = new AesGcmCipherService(next, List.of(fleet.real.cipher.primaryKey()));
        ServerRegistry registry = new ServerRegistry(fleet.servers, fleet.directory, rotated);

        assertThat(registry.rekey(next.idHex())).isEqualTo(1);
        assertThat(registry.rekey(next.idHex())).isZero();
        assertThat(fleet.servers.find("second").orElseThrow().adminSealed().orElseThrow().keyId())
                .isEqualTo(next.idHex());
    }

    private void assertRefused(String url, ErrorCode code) throws SQLException {
        int rowsBefore = fleet.registry.list().size();
        assertThatThrownBy(() -> fleet.registry.register(new ServerRegistration("refused", url, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty())))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).doesNotContain(url);
                });
        assertThat(fleet.registry.list()).hasSize(rowsBefore);
        assertThat(fleet.servers.find("refused")).isEmpty();
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = fleet.real.postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
