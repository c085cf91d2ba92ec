package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.tenantdb.provisioning.example.ExampleTesting.post;
import static io.tenantdb.provisioning.example.ExampleTesting.send;
import static io.tenantdb.provisioning.example.ExampleTesting.tenantId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example's warm pool over real sockets: {@code WARM_POOL_SIZE=2} on the example, which places tenants across
 * its server registry (here the {@code default} server alone, which holds the pool).
 */
class WarmPoolHttpTest {

    private static InProcessExample example;
    private static URI warmPool;

    @BeforeAll
    static void start() throws Exception {
        example = InProcessExample.start(Map.of("WARM_POOL_SIZE", "2"));
        warmPool = example.base().resolve("api/v1/warm-pool");
    }

    @AfterAll
    static void stop() throws Exception {
        example.close();
    }

    @Test
    void aPostedTenantIsAReadyEntryRenamedAndThePoolRefills() throws Exception {
        awaitReady(2);
        // A rename keeps a database's oid; a database created for the tenant would get a new one.
        Map<String, String> entriesByOid = new HashMap<>();
        for (String entry : controlPlane("""
                SELECT name FROM control_plane.warm_pool_entries WHERE state = 'ready' AND tenant_id IS NULL""")) {
            entriesByOid.put(oidOf(entry).orElseThrow(), entry);
        }
        assertThat(entriesByOid).hasSize(2);

        HttpResponse<String> created = post(example.base(), example.token(), "Warm over HTTP", "production");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).contains("\"server\":\"default\"", "\"status\":\"active\"");
        String database = "car_" + tenantId(created).replace('-', '_');
        String claimed = entriesByOid.get(oidOf(database).orElseThrow());
        assertThat(claimed).as("the tenant's database is a ready entry renamed").isNotNull();
        assertThat(oidOf(claimed)).isEmpty();
        assertThat(Sql.strings(example.postgres().adminDataSource(),
                "SELECT count(*) FROM pg_roles WHERE rolname = ?", claimed)).containsExactly("0");
        awaitReady(2);
    }

    /** Polls GET /api/v1/warm-pool until it reports {@code ready} entries of a target of 2. */
    private static void awaitReady(int ready) throws Exception {
        String body = "";
        for (int i = 0; i < 1200 && !body.contains("\"ready\":" + ready); i++) {
            HttpResponse<String> response = send("GET", warmPool, example.token(), null, null);
            assertThat(response.statusCode()).isEqualTo(200);
            body = response.body();
            if (!body.contains("\"ready\":" + ready)) {
                Thread.sleep(50);
            }
        }
        assertThat(body).contains("\"target\":2", "\"ready\":" + ready);
    }

    private static List<String> controlPlane(String sql) throws SQLException {
        return Sql.strings(example.postgres().dataSource(example.controlDatabase()), sql);
    }

    private static Optional<String> oidOf(String database) throws SQLException {
        return Sql.strings(example.postgres().adminDataSource(),
                "SELECT oid::text FROM pg_database WHERE datname = ?", database).stream().findFirst();
    }
}
