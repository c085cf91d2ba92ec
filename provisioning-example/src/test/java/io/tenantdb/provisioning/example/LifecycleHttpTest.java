package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.postgres.JdbcConnectionVerifier;
import io.tenantdb.provisioning.postgres.TenantConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tenantdb.provisioning.example.ExampleTesting.post;
import static io.tenantdb.provisioning.example.ExampleTesting.send;
import static io.tenantdb.provisioning.example.ExampleTesting.tenantId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** List, delete and credential rotation over real HTTP on a real PostgreSQL. */
class LifecycleHttpTest {

    private static final Pattern NEXT_CURSOR = Pattern.compile("\"next_cursor\":\"([^\"]+)\"");
    private static InProcessExample example;
    private final JdbcConnectionVerifier verifier = new JdbcConnectionVerifier(TenantConnector.withDefaults());

    @BeforeAll
    static void start() throws Exception {
        example = InProcessExample.start();
    }

    @AfterAll
    static void stop() throws Exception {
        example.close();
    }

    @Test
    void deleteDropsTheDatabaseAndRoleAndIsIdempotent() throws Exception {
        String id = tenantId(post(example.base(), example.token(), "Deleted Co", "production"));
        String database = "car_" + id.replace('-', '_');
        ConnectionDetails details = example.app().application().connections().details(UUID.fromString(id));

        HttpResponse<String> deleted = send("DELETE", example.base().resolve("api/v1/tenants/" + id),
                example.token(), null, null);
        HttpResponse<String> again = send("DELETE", example.base().resolve("api/v1/tenants/" + id),
                example.token(), null, null);

        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).contains("\"status\":\"deleted\"");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(ExampleTesting.tenantDatabases(example.postgres())).doesNotContain(database);
        assertThat(count("SELECT count(*) FROM pg_roles WHERE rolname = '" + database + "'")).isZero();
        assertThatThrownBy(() -> verifier.verify(details)).isInstanceOf(SQLException.class);
        assertThat(send("GET", example.base().resolve("api/v1/tenants/" + id), example.token(), null, null).body())
                .contains("\"status\":\"deleted\"").doesNotContain("postgresql://");
    }

    @Test
    void rotateRefusesTheOldPasswordAndStoresAWorkingNewOne() throws Exception {
        UUID id = UUID.fromString(tenantId(post(example.base(), example.token(), "Rotated Co", "staging")));
        ConnectionDetails before = example.app().application().connections().details(id);

        HttpResponse<String> rotated = send("POST",
                example.base().resolve("api/v1/tenants/" + id + "/credentials/rotate"), example.token(), null, null);

        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(rotated.body()).doesNotContain(before.password()).doesNotContain("postgresql://");
        ConnectionDetails after = example.app().application().connections().details(id);
        assertThat(verifier.verify(after)).startsWith("PostgreSQL");
        assertThatThrownBy(() -> verifier.verify(before))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void listPagesThroughEveryTenantOnceWithoutSecrets() throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(tenantId(post(example.base(), example.token(), "Listed " + i, "development")));
        }
        List<String> seen = new ArrayList<>();
        String query = "api/v1/tenants?environment=development&limit=2";
        while (query != null) {
            HttpResponse<String> page = send("GET", example.base().resolve(query), example.token(), null, null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).doesNotContain("postgresql://").doesNotContain("connection_string");
            Matcher ids = Pattern.compile("\"tenant_id\":\"([0-9a-f-]{36})\"").matcher(page.body());
            while (ids.find()) {
                seen.add(ids.group(1));
            }
            Matcher next = NEXT_CURSOR.matcher(page.body());
            query = next.find() ? "api/v1/tenants?environment=development&limit=2&cursor=" + next.group(1) : null;
        }

        assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
    }

    private int count(String sql) throws SQLException {
        try (Connection connection = example.postgres().adminDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
