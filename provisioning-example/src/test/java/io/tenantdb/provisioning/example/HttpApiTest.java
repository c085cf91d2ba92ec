package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.internal.ConnectionStringSealer;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.tenantdb.provisioning.example.ExampleTesting.post;
import static io.tenantdb.provisioning.example.ExampleTesting.send;
import static io.tenantdb.provisioning.example.ExampleTesting.tenantId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end over real sockets: the example application started in-process on a free port, on a real PostgreSQL
 * from {@link TestPostgres}, driven with {@code java.net.http}. 500 is not covered here: no input forces it against
 * a healthy server (the servlet module's handler tests cover its mapping).
 */
class HttpApiTest {

    private static final String PROBLEM_JSON = "application/problem+json";

    private static InProcessExample example;
    private static TestPostgres postgres;
    private static String controlDatabase;
    private static Set<String> tenantDatabasesBefore;
    private static ExampleApplication app;
    private static String token;
    private static URI base;

    @BeforeAll
    static void startApplication() throws Exception {
        tenantDatabasesBefore = ExampleTesting.tenantDatabases(TestPostgres.get());
        example = InProcessExample.start();
        postgres = example.postgres();
        controlDatabase = example.controlDatabase();
        app = example.app();
        token = example.token();
        base = example.base();
    }

    @AfterAll
    static void stopApplicationAndDropWhatItCreated() throws Exception {
        example.close();
        assertThat(ExampleTesting.tenantDatabases(postgres))
                .as("every tenant database this class created was recorded in its control plane")
                .isEqualTo(tenantDatabasesBefore);
    }

    @Test
    void postCreatesAnActiveTenantWhoseDatabaseExistsAndGetReturnsIt() throws Exception {
        HttpResponse<String> created = post(base, token, "Acme Ünïcode", "production");

        assertThat(created.statusCode()).isEqualTo(201);
        String id = tenantId(created);
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/tenants/" + id);
        assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        String databaseName = "car_" + id.replace('-', '_');
        assertThat(created.body()).contains("\"name\":\"Acme Ünïcode\"", "\"environment\":\"production\"",
                "\"status\":\"active\"", "\"database_name\":\"" + databaseName + "\"", "\"created_at\":\"");
        assertThat(ExampleTesting.tenantDatabases(postgres)).contains(databaseName);

        HttpResponse<String> fetched = send("GET", base.resolve("api/v1/tenants/" + id), token, null, null);

        assertThat(fetched.statusCode()).isEqualTo(200);
        // The same fields, and the schema version recorded for it (none: this example runs no migrations).
        assertThat(fetched.body()).isEqualTo(created.body().replaceFirst("}$", ",\"schema_version\":null}"));
    }

    @Test
    void storedSecretDecryptsWithTheTenantIdToAUriThatConnectsAsTheTenantRole() throws Exception {
        UUID id = UUID.fromString(tenantId(post(base, token, "Sealed Corp", "staging")));
        String sealed;
        try (Connection connection = postgres.dataSource(controlDatabase).getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT connection_string_encrypted"
                     + " FROM control_plane.tenant_databases WHERE tenant_id = ?")) {
            select.setObject(1, id);
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                sealed = rs.getString(1);
            }
        }
        assertThat(sealed).doesNotContain("postgresql://");

        ConnectionDetails details = app.application().connections().details(id);

        assertThat(details.database()).isEqualTo("car_" + id.toString().replace('-', '_'));
        assertThat(details.host()).isEqualTo(postgres.host());
        assertThat(details.port()).isEqualTo(postgres.port());
        try (Connection tenant = TenantConnector.withDefaults().open(details);
             Statement statement = tenant.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user, current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(details.user());
            assertThat(rs.getString(2)).isEqualTo(details.database());
        }
        assertThatThrownBy(() -> app.application().cipher().decrypt(sealed,
                ConnectionStringSealer.associatedData(UUID.randomUUID())))
                .as("a sealed value moved to another tenant fails")
                .isInstanceOf(java.security.GeneralSecurityException.class);
    }

    @Test
    void tenParallelPostsCreateTenDistinctTenantsAndDatabases() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            String run = UUID.randomUUID().toString().substring(0, 8);
            for (int i = 0; i < 10; i++) {
                String name = "Parallel " + run + " " + i;
                responses.add(pool.submit(() -> post(base, token, name, "development")));
            }
            Set<String> ids = new HashSet<>();
            for (Future<HttpResponse<String>> response : responses) {
                assertThat(response.get().statusCode()).isEqualTo(201);
                ids.add(tenantId(response.get()));
            }
            assertThat(ids).hasSize(10);
            Set<String> databases = ExampleTesting.tenantDatabases(postgres);
            for (String id : ids) {
                assertThat(databases).contains("car_" + id.replace('-', '_'));
                assertThat(send("GET", base.resolve("api/v1/tenants/" + id), token, null, null).statusCode())
                        .isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sameNameInTheSameEnvironmentIsAConflictIgnoringCase() throws Exception {
        assertThat(post(base, token, "Globex", "production").statusCode()).isEqualTo(201);
        Set<String> before = ExampleTesting.tenantDatabases(postgres);

        HttpResponse<String> duplicate = post(base, token, "GLOBEX", "production");

        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(PROBLEM_JSON));
        assertThat(duplicate.body()).contains("\"status\":409");
        assertThat(ExampleTesting.tenantDatabases(postgres)).isEqualTo(before);
        assertThat(post(base, token, "Globex", "staging").statusCode()).as("another environment").isEqualTo(201);
    }

    @Test
    void missingTokenIsUnauthorizedWithABearerChallenge() throws Exception {
        HttpResponse<String> response = post(base, null, "No Token", "production");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(PROBLEM_JSON));
    }

    @Test
    void wrongTokenIsUnauthorizedAndCreatesNothing() throws Exception {
        Set<String> before = ExampleTesting.tenantDatabases(postgres);

        HttpResponse<String> response = post(base, token + "x", "Wrong Token", "production");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(send("GET", base.resolve("api/v1/tenants/" + UUID.randomUUID()), "wrong-token-0123456789",
                null, null).statusCode()).isEqualTo(401);
        assertThat(ExampleTesting.tenantDatabases(postgres)).isEqualTo(before);
    }

    @Test
    void malformedJsonIsBadRequest() throws Exception {
        HttpResponse<String> response = send("POST", base.resolve("api/v1/tenants"), token, "application/json",
                "{\"name\": \"Acme\",");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(PROBLEM_JSON));
    }

    @Test
    void nonJsonContentTypeIsUnsupportedMediaType() throws Exception {
        HttpResponse<String> response = send("POST", base.resolve("api/v1/tenants"), token, "text/plain",
                "{\"name\": \"Acme\", \"environment\": \"production\"}");

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void bodyOverSixteenKibibytesIsTooLarge() throws Exception {
        String body = "{\"name\": \"" + "x".repeat(17 * 1024) + "\", \"environment\": \"production\"}";

        HttpResponse<String> response = send("POST", base.resolve("api/v1/tenants"), token, "application/json", body);

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void invalidFieldsAreUnprocessableWithFieldErrors() throws Exception {
        HttpResponse<String> response = send("POST", base.resolve("api/v1/tenants"), token, "application/json",
                "{\"name\": \"  \", \"environment\": \"qa\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("\"errors\"", "\"field\":\"name\"", "\"field\":\"environment\"");
    }

    @Test
    void unknownTenantIsNotFound() throws Exception {
        HttpResponse<String> response = send("GET", base.resolve("api/v1/tenants/" + UUID.randomUUID()), token,
                null, null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(PROBLEM_JSON));
    }

    @Test
    void unsupportedMethodIsNotAllowedWithAllow() throws Exception {
        HttpResponse<String> response = send("DELETE", base.resolve("api/v1/tenants"), token, null, null);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValueSatisfying(
                allow -> assertThat(allow).contains("POST"));
    }

    @Test
    void healthAnswersWithoutAToken() throws Exception {
        HttpResponse<String> response = send("GET", base.resolve("healthz"), null, null, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"ok\"");
    }

    @Test
    void unreachableControlPlaneIsServiceUnavailableWithRetryAfter() throws Exception {
        Set<String> before = ExampleTesting.tenantDatabases(postgres);
        String otherToken = ExampleTesting.newToken();
        ExampleApplication cut;
        try (TcpForwarder forwarder = new TcpForwarder(postgres.host(), postgres.port())) {
            Map<String, String> environment = ExampleTesting.environment(postgres, controlDatabase,
                    ExampleTesting.newKey(), otherToken);
            environment.put("DATABASE_URL", ExampleTesting.databaseUrl(postgres, "127.0.0.1", forwarder.port(),
                    controlDatabase));
            cut = ExampleApplication.start(Configuration.from(environment));
            URI cutBase = URI.create("http://localhost:" + cut.port() + "/");
            assertThat(send("GET", cutBase.resolve("healthz"), null, null, null).statusCode()).isEqualTo(200);

            forwarder.close();

            try {
                HttpResponse<String> response = post(cutBase, otherToken, "Unreachable", "production");
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith(PROBLEM_JSON));
                assertThat(send("GET", cutBase.resolve("healthz"), null, null, null).statusCode()).isEqualTo(503);
            } finally {
                cut.close();
            }
        }
        assertThat(ExampleTesting.tenantDatabases(postgres)).isEqualTo(before);
    }

    @Test
    void shutdownLetsAProvisioningInFlightFinishBeforeThePoolCloses() throws Exception {
        String otherToken = ExampleTesting.newToken();
        ExampleApplication draining = ExampleApplication.start(Configuration.from(
                ExampleTesting.environment(postgres, controlDatabase, ExampleTesting.newKey(), otherToken)));
        URI drainingBase = URI.create("http://localhost:" + draining.port() + "/");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Connection blocker = postgres.dataSource(controlDatabase).getConnection()) {
            // Holding this lock parks the provisioning at its first step, so it is surely in flight at shutdown.
            blocker.setAutoCommit(false);
            try (Statement statement = blocker.createStatement()) {
                statement.execute("LOCK TABLE control_plane.tenants IN ACCESS EXCLUSIVE MODE");
            }
            Future<HttpResponse<String>> inFlight = threads.submit(() -> post(drainingBase, otherToken,
                    "Drained " + UUID.randomUUID(), "production"));
            awaitReservationBlockedBy(blocker);

            Future<?> shutdown = threads.submit(draining::close);
            awaitRefused(drainingBase);
            blocker.commit();

            HttpResponse<String> response = inFlight.get();
            shutdown.get();
            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(ExampleTesting.tenantDatabases(postgres))
                    .contains("car_" + tenantId(response).replace('-', '_'));
        } finally {
            threads.shutdownNow();
            draining.close();
        }
    }

    // Polls (at most ~30 s, then fails instead of hanging) until the provisioning waits on the lock held by
    // `blocker`: only a session blocked by that very connection, placing (reading the servers' tenant counts) or
    // inserting a tenant, counts.
    private static void awaitReservationBlockedBy(Connection blocker) throws Exception {
        int blockerPid = blocker.unwrap(org.postgresql.PGConnection.class).getBackendPID();
        for (int attempt = 0; attempt < 1_500; attempt++) {
            try (Connection connection = postgres.adminDataSource().getConnection();
                 PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                         + " WHERE datname = ? AND ? = ANY(pg_blocking_pids(pid))"
                         + " AND (query LIKE '%INSERT INTO control_plane.tenants%'"
                         + " OR query LIKE '%FROM control_plane.servers%')")) {
                select.setString(1, controlDatabase);
                select.setInt(2, blockerPid);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no reservation waited on the blocker's lock");
    }

    // Polls (at most ~30 s, then fails) until the draining server no longer serves new requests: refused or 503.
    private static void awaitRefused(URI drainingBase) throws InterruptedException {
        for (int attempt = 0; attempt < 1_500; attempt++) {
            try {
                if (send("GET", drainingBase.resolve("healthz"), null, null, null).statusCode() == 503) {
                    return;
                }
            } catch (java.io.IOException e) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the draining server still answered 200 on /healthz");
    }

    @Test
    void tenantRoleCannotConnectToAnotherTenantsDatabase() throws Exception {
        UUID first = UUID.fromString(tenantId(post(base, token, "Isolated A", "production")));
        UUID second = UUID.fromString(tenantId(post(base, token, "Isolated B", "production")));
        ConnectionDetails firstDetails = details(first);
        ConnectionDetails intoSecond = new ConnectionDetails(firstDetails.host(), firstDetails.port(),
                details(second).database(), firstDetails.user(), firstDetails.password());

        assertThatThrownBy(() -> TenantConnector.withDefaults().open(intoSecond).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
    }

    /** The tenant's credentials, as a host reads them: through TenantConnections. */
    private static ConnectionDetails details(UUID id) {
        return app.application().connections().details(id);
    }
}
