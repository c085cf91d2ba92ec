package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(RealProvisioningExtension.class)
class PostgresDatabaseCreatorTest {

    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) throws SQLException {
        this.real = real;
    }

    @Test
    void dropTerminatesOpenSessionsAndRemovesDatabaseAndRole() throws Exception {
        String name = real.prefix + "drop";
        UUID id = UUID.randomUUID();
        ConnectionDetails details = real.creator.create(id, name, name);
        Connection open = real.connector.open(details);
        try (Statement statement = open.createStatement()) {
            statement.execute("SELECT 1");

            real.creator.drop(id, name, name);

            assertThat(real.databasesWithPrefix()).isEmpty();
            assertThat(real.rolesWithPrefix()).isEmpty();
            assertThatThrownBy(() -> statement.execute("SELECT 1")).isInstanceOf(SQLException.class);
        } finally {
            open.close();
        }
    }

    @Test
    void dropIsIdempotent() throws Exception {
        String name = real.prefix + "twice";
        UUID id = UUID.randomUUID();
        real.creator.create(id, name, name);

        real.creator.drop(id, name, name);

        assertThatCode(() -> real.creator.drop(id, name, name)).doesNotThrowAnyException();
        assertThatCode(() -> real.creator.drop(id, real.prefix + "never", real.prefix + "never"))
                .doesNotThrowAnyException();
        assertThat(real.databasesWithPrefix()).isEmpty();
    }

    @Test
    void dropRemovesARoleWhoseDatabaseWasNeverCreated() throws Exception {
        String name = real.prefix + "orphan";
        UUID id = UUID.randomUUID();
        execute("CREATE ROLE \"" + name + "\" LOGIN; COMMENT ON ROLE \"" + name + "\" IS '"
                + new OwnershipMark(real.store.controlPlaneId(), id).comment() + "'");

        real.creator.drop(id, name, name);

        assertThat(real.rolesWithPrefix()).isEmpty();
    }

    @Test
    void dropLeavesObjectsOfAnotherControlPlaneOrTenantOrOfNobody() throws Exception {
        UUID id = UUID.randomUUID();
        String foreign = real.prefix + "foreign";
        String otherTenant = real.prefix + "other_tenant";
        String unmarked = real.prefix + "unmarked";
        execute("CREATE ROLE \"" + foreign + "\"; COMMENT ON ROLE \"" + foreign + "\" IS '"
                + new OwnershipMark(UUID.randomUUID(), id).comment() + "'");
        execute("CREATE DATABASE \"" + foreign + "\" OWNER \"" + foreign + "\"");
        execute("CREATE ROLE \"" + otherTenant + "\"; COMMENT ON ROLE \"" + otherTenant + "\" IS '"
                + new OwnershipMark(real.store.controlPlaneId(), UUID.randomUUID()).comment() + "'");
        execute("CREATE ROLE \"" + unmarked + "\"");
        execute("CREATE DATABASE \"" + unmarked + "\"");

        real.creator.drop(id, foreign, foreign);
        real.creator.drop(id, otherTenant, otherTenant);
        real.creator.drop(id, unmarked, unmarked);

        assertThat(real.databasesWithPrefix()).containsExactlyInAnyOrder(foreign, unmarked);
        assertThat(real.rolesWithPrefix()).containsExactlyInAnyOrder(foreign, otherTenant, unmarked);
    }

    @Test
    void dropRemovesObjectsMarkedByAnEarlierVersionForTheSameTenant() throws Exception {
        UUID id = UUID.randomUUID();
        String name = real.prefix + "legacy";
        execute("CREATE ROLE \"" + name + "\"; COMMENT ON ROLE \"" + name + "\" IS 'tenantdb:" + id + "'");
        execute("CREATE DATABASE \"" + name + "\" OWNER \"" + name + "\"");

        real.creator.drop(id, name, name);

        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = real.postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Test
    void createRefusesAnExistingNameAndKeepsTheExistingDatabase() throws Exception {
        String name = real.prefix + "taken";
        ConnectionDetails details = real.creator.create(UUID.randomUUID(), name, name);

        assertThatThrownBy(() -> real.creator.create(UUID.randomUUID(), name, name))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42710"));
        assertThat(real.verifier.verify(details)).startsWith("PostgreSQL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Upper", "has-dash", "has space", "quote\"x", "semi;colon", "drop'x", "ünï",
            "a.b", "0123456789012345678901234567890123456789012345678901234567890123"})
    void identifiersOutsideTheSafePatternAreRefusedBeforeAnySqlRuns(String bad) {
        CountingDataSource admin = new CountingDataSource();
        PostgresDatabaseCreator creator = PostgresDatabaseCreator.builder(admin, UUID.randomUUID()).build();

        assertThatThrownBy(() -> creator.create(UUID.randomUUID(), bad, "car_ok"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> creator.create(UUID.randomUUID(), "car_ok", bad))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> creator.drop(UUID.randomUUID(), bad, "car_ok"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> creator.drop(UUID.randomUUID(), "car_ok", bad))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresDatabaseCreator.builder(admin, UUID.randomUUID()).template(bad))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(admin.connections).hasValue(0);
    }

    @Test
    void identifierOf63SafeCharactersIsQuotedAnd64IsRefused() {
        String longest = "a".repeat(63);

        assertThat(Identifiers.quote(longest)).isEqualTo('"' + longest + '"');
        assertThatThrownBy(() -> Identifiers.quote(longest + "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Identifiers.quote(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tenantEndpointRefusesBlankHostAndBadPort() {
        PostgresDatabaseCreator.Builder builder =
                PostgresDatabaseCreator.builder(new CountingDataSource(), UUID.randomUUID());

        assertThatThrownBy(() -> builder.tenantEndpoint(" ", 5432)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.tenantEndpoint("h", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.tenantEndpoint("h", 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.tenantEndpoint(null, 5432)).isInstanceOf(NullPointerException.class);
    }

    /** Counts connection requests and hands out none: a creator that asks for one has already gone too far. */
    private static final class CountingDataSource extends FixedCredentialsDataSource {
        final AtomicInteger connections = new AtomicInteger();

        @Override
        public Connection getConnection() throws SQLException {
            connections.incrementAndGet();
            throw new SQLException("no connection in this test", "08001");
        }
    }
}
