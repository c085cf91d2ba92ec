package io.tenantdb.provisioning.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(PostgresExtension.class)
class TestPostgresTest {

    @Test
    void extensionResolvesTheOneServerOfThisJvm(TestPostgres postgres) {
        assertThat(postgres).isSameAs(TestPostgres.get());
        assertThat(postgres.source()).isIn("environment", "testcontainers", "embedded");
        assertThat(postgres.port()).isBetween(1, 65535);
    }

    @Test
    void createDatabaseMakesAFreshReachableDatabaseWithTheGivenPrefix(TestPostgres postgres) throws Exception {
        String first = postgres.createDatabase("fixture_");
        String second = postgres.createDatabase("fixture_");

        assertThat(first).startsWith("fixture_").isNotEqualTo(second);
        assertThat(postgres.jdbcUrl(first))
                .isEqualTo("jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/" + first);
        try (Connection connection = postgres.dataSource(first).getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_database(),"
                     + " (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(first);
            assertThat(rs.getInt(2)).isZero();
        }
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE \"" + first + "\"");
            statement.execute("DROP DATABASE \"" + second + "\"");
        }
    }

    @Test
    void adminCanCreateRolesAndDatabases(TestPostgres postgres) throws Exception {
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user, rolsuper OR (rolcreatedb AND rolcreaterole)"
                     + " FROM pg_roles WHERE rolname = current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(postgres.adminUser());
            assertThat(rs.getBoolean(2)).isTrue();
        }
    }

    @Test
    void createDatabaseRefusesAnUnsafePrefix(TestPostgres postgres) {
        for (String prefix : new String[] {"", "Upper", "x\"; DROP", "1abc"}) {
            assertThatThrownBy(() -> postgres.createDatabase(prefix)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
