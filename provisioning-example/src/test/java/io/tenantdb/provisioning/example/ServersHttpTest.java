package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static io.tenantdb.provisioning.example.ExampleTesting.post;
import static io.tenantdb.provisioning.example.ExampleTesting.send;
import static io.tenantdb.provisioning.example.ExampleTesting.tenantId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server registry end to end over real sockets: the example in-process on the shared test server (its
 * {@code default}) and a second, embedded PostgreSQL registered through {@code POST /api/v1/servers}.
 */
class ServersHttpTest {

    private static final String JSON = "application/json";

    private static DedicatedPostgres second;
    private static InProcessExample example;
    private static URI base;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        second = DedicatedPostgres.start(Map.of(), List.of("host all all 127.0.0.1/32 scram-sha-256",
                "host all all ::1/128 scram-sha-256"));
        example = InProcessExample.start();
        base = example.base();
        token = example.token();
    }

    @AfterAll
    static void stop() throws Exception {
        example.close();
        second.close();
    }

    @Test
    void registersAServerPlacesTenantsOnItDrainsItAndRunsOutOfCapacity() throws Exception {
        TestPostgres server = second.server();
        String adminUrl = "postgresql://postgres:postgres@localhost:" + server.port() + "/postgres";

        HttpResponse<String> registered = send("POST", base.resolve("api/v1/servers"), token, JSON,
                "{\"name\":\"second\",\"admin_url\":\"" + adminUrl + "\",\"weight\":5,\"max_tenants\":1}");
        assertThat(registered.statusCode()).isEqualTo(201);
        assertThat(registered.headers().firstValue("Location")).contains("/api/v1/servers/second");
        assertThat(registered.body()).contains("\"tenant_port\":" + server.port()).doesNotContain("postgres:postgres")
                .doesNotContain("admin_url");
        HttpResponse<String> listed = send("GET", base.resolve("api/v1/servers"), token, null, null);
        assertThat(listed.body()).contains("\"name\":\"default\"", "\"name\":\"second\"")
                .doesNotContain("postgres:postgres");

        HttpResponse<String> onSecond = post(base, token, "On the second server", "production");
        assertThat(onSecond.statusCode()).isEqualTo(201);
        assertThat(onSecond.body()).contains("\"server\":\"second\"");
        String id = tenantId(onSecond);
        String databaseName = "car_" + id.replace('-', '_');
        assertThat(databaseExists(server, databaseName)).isTrue();
        assertThat(send("GET", base.resolve("api/v1/tenants/" + id), token, null, null).body())
                .contains("\"server\":\"second\"");

        // The second server is full now (max_tenants 1): the next tenant goes to the default server.
        assertThat(post(base, token, "On the default server", "production").body())
                .contains("\"server\":\"default\"");
        assertThat(send("PATCH", base.resolve("api/v1/servers/default"), token, JSON, "{\"state\":\"draining\"}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> full = post(base, token, "Nowhere to go", "production");
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.body()).contains("https://tenantdb.io/problems/no-capacity");
        assertThat(full.headers().firstValue("Retry-After")).contains("60");

        assertThat(send("DELETE", base.resolve("api/v1/tenants/" + id), token, null, null).statusCode())
                .isEqualTo(200);
        assertThat(databaseExists(server, databaseName)).isFalse();
        assertThat(send("PATCH", base.resolve("api/v1/servers/default"), token, JSON, "{\"state\":\"active\"}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void refusesAServerThatDoesNotAnswerAndEveryRouteNeedsTheToken() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        HttpResponse<String> refused = send("POST", base.resolve("api/v1/servers"), token, JSON,
                "{\"name\":\"gone\",\"admin_url\":\"postgresql://postgres:pw@127.0.0.1:" + closed + "/postgres\"}");

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("https://tenantdb.io/problems/server-unreachable")
                .doesNotContain(":pw@");
        assertThat(send("GET", base.resolve("api/v1/servers"), token, null, null).body()).doesNotContain("gone");
        assertThat(send("GET", base.resolve("api/v1/servers"), null, null, null).statusCode()).isEqualTo(401);
        assertThat(send("PATCH", base.resolve("api/v1/servers/default"), "wrong-token-0123456789", JSON,
                "{\"state\":\"draining\"}").statusCode()).isEqualTo(401);
    }

    private static boolean databaseExists(TestPostgres server, String name) throws Exception {
        try (Connection connection = server.adminDataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT 1 FROM pg_database WHERE datname = ?")) {
            statement.setString(1, name);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        }
    }
}
