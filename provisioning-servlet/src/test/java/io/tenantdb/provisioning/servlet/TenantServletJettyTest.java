package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The servlets and the filter in a real Jetty 12 over real sockets, backed by the in-memory fakes. */
class TenantServletJettyTest {

    private static final String TOKEN = "jetty-test-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACME = "{\"name\":\"Acme\",\"environment\":\"production\"}";

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final AtomicBoolean controlPlaneUp = new AtomicBoolean(true);
    private LocalJetty server;
    private URI base;

    // A fresh server per test: the fakes are per test, and starting Jetty takes milliseconds.
    @BeforeEach
    void startJetty() throws Exception {
        server = LocalJetty.start(context -> {
            context.addServlet(new ServletHolder(new TenantServlet(fakes.provisioner())), "/api/v1/*");
            context.addFilter(new FilterHolder(new BearerTokenFilter(TOKEN)), "/api/v1/*",
                    EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new HealthServlet(() -> {
                if (!controlPlaneUp.get()) {
                    throw new IllegalStateException("connection refused by control-plane.internal");
                }
                return true;
            })), "/healthz");
        });
        base = server.base();
    }

    @AfterEach
    void stopJetty() throws Exception {
        server.close();
    }

    @Test
    void postThenGetOverHttp() throws Exception {
        HttpResponse<String> created = send(post(ACME).header("Authorization", "Bearer " + TOKEN));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = JSON.readTree(created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo("/api/v1/tenants/" + body.get("tenant_id").textValue());
        assertThat(body.get("status").textValue()).isEqualTo("active");

        HttpResponse<String> read = send(authorized(HttpRequest.newBuilder(base.resolve(location)).GET()));

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body())).isEqualTo(body);
    }

    @Test
    void aUnicodeNameSurvivesTheWire() throws Exception {
        String name = "Zürich 東京 🚀";
        HttpResponse<String> created = send(authorized(post(JSON.writeValueAsString(
                JSON.createObjectNode().put("name", name).put("environment", "staging")))));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(created.body()).get("name").textValue()).isEqualTo(name);
    }

    @Test
    void withoutATokenTheAnswerIs401WithAChallengeAndNothingIsCreated() throws Exception {
        HttpResponse<String> response = send(post(ACME));

        assertProblem(response, 401, "unauthorized");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tenantdb\"");
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void aWrongOrMalformedTokenIs401() throws Exception {
        for (String header : new String[]{"Bearer wrong-token-0123456789", "Basic " + TOKEN, "Bearer", TOKEN}) {
            HttpResponse<String> response = send(post(ACME).header("Authorization", header));

            assertProblem(response, 401, "unauthorized");
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tenantdb\"");
        }
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void unknownPathsUnderTheApiAre404AfterAuthentication() throws Exception {
        assertProblem(send(HttpRequest.newBuilder(base.resolve("/api/v1/nothing")).GET()), 401, "unauthorized");
        assertProblem(send(authorized(HttpRequest.newBuilder(base.resolve("/api/v1/nothing")).GET())),
                404, "not-found");
        assertProblem(send(authorized(HttpRequest.newBuilder(base.resolve("/api/v1")).GET())), 404, "not-found");
        assertProblem(send(authorized(HttpRequest.newBuilder(base.resolve("/api/v1/tenants/not-a-uuid")).GET())),
                404, "not-found");
        assertProblem(send(authorized(HttpRequest.newBuilder(base.resolve("/api/v1/tenants/" + UUID.randomUUID()))
                .GET())), 404, "not-found");
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> onCollection = send(authorized(HttpRequest.newBuilder(base.resolve("/api/v1/tenants"))
                .PUT(BodyPublishers.ofString(ACME))));
        HttpResponse<String> onItem = send(authorized(HttpRequest.newBuilder(
                base.resolve("/api/v1/tenants/" + UUID.randomUUID())).PUT(BodyPublishers.ofString(ACME))));

        assertProblem(onCollection, 405, "method-not-allowed");
        assertThat(onCollection.headers().firstValue("Allow")).hasValue("GET, POST");
        assertProblem(onItem, 405, "method-not-allowed");
        assertThat(onItem.headers().firstValue("Allow")).hasValue("GET, HEAD, DELETE");
    }

    @Test
    void headReturnsHeadersWithoutABody() throws Exception {
        String location = send(authorized(post(ACME))).headers().firstValue("Location").orElseThrow();

        HttpResponse<String> head = send(authorized(HttpRequest.newBuilder(base.resolve(location))
                .method("HEAD", BodyPublishers.noBody())));

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length").orElseThrow()).isPositive();
    }

    @Test
    void badBodiesAndContentTypesAreProblems() throws Exception {
        assertProblem(send(authorized(post("{\"name\":")).header("Content-Type", "application/json")),
                400, "malformed-request");
        assertProblem(send(authorized(post("{\"name\":\"a\",\"name\":\"b\",\"environment\":\"staging\"}"))),
                400, "malformed-request");
        assertProblem(send(authorized(HttpRequest.newBuilder(base.resolve("/api/v1/tenants"))
                .header("Content-Type", "text/plain").POST(BodyPublishers.ofString(ACME)))), 415,
                "unsupported-media-type");
        HttpResponse<String> invalid = send(authorized(post("{\"name\":\" \",\"environment\":\"prod\"}")));
        assertProblem(invalid, 422, "validation-failed");
        assertThat(JSON.readTree(invalid.body()).get("errors")).hasSize(2);
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void aChunkedBodyOverTheCapIs413() throws Exception {
        byte[] big = new byte[RequestBody.MAX_BYTES * 4];
        java.util.Arrays.fill(big, (byte) ' ');
        // ofInputStream has no known length, so the client sends it chunked, without Content-Length.
        HttpResponse<String> response = send(authorized(HttpRequest.newBuilder(base.resolve("/api/v1/tenants"))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))));

        assertProblem(response, 413, "payload-too-large");
    }

    @Test
    void aDeclaredLengthOverTheCapIs413() throws Exception {
        byte[] big = new byte[RequestBody.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');

        assertProblem(send(authorized(post(BodyPublishers.ofByteArray(big)))), 413, "payload-too-large");
    }

    @Test
    void aBodyRefusedBeforeReadingIsNeverInvitedWithContinue() throws Exception {
        String request = "POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\nExpect: 100-continue"
                + "\r\nConnection: close\r\n\r\n";
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue")
                    .contains("application/problem+json");
        }
    }

    @Test
    void anUnreachableDatabaseIs503WithRetryAfter() throws Exception {
        fakes.store.faults().arm("reserve", new SQLTransientConnectionException("refused", "08001"));

        HttpResponse<String> response = send(authorized(post(ACME)));

        assertProblem(response, 503, "service-unavailable");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(response.body()).doesNotContain("refused");
    }

    @Test
    void healthNeedsNoTokenAndFollowsTheControlPlane() throws Exception {
        HttpResponse<String> up = send(HttpRequest.newBuilder(base.resolve("/healthz")).GET());
        controlPlaneUp.set(false);
        HttpResponse<String> down = send(HttpRequest.newBuilder(base.resolve("/healthz")).GET());
        HttpResponse<String> posted = send(HttpRequest.newBuilder(base.resolve("/healthz"))
                .POST(BodyPublishers.noBody()));

        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(up.body())).isEqualTo(JSON.readTree(
                "{\"status\":\"ok\",\"version\":\"" + LibraryVersion.VALUE + "\"}"));
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(down.body())).isEqualTo(JSON.readTree(
                "{\"status\":\"unavailable\",\"version\":\"" + LibraryVersion.VALUE + "\"}"));
        assertThat(down.body()).doesNotContain("control-plane.internal");
        assertProblem(posted, 405, "method-not-allowed");
        assertThat(posted.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void theIdempotencyKeyHeaderReachesTheProvisioner() throws Exception {
        // The fakes have no idempotency store: the provisioner refuses keyed requests, which proves the header
        // was passed on rather than dropped.
        HttpResponse<String> keyed = send(authorized(post(ACME)).header("Idempotency-Key", "abc-123"));
        HttpResponse<String> malformed = send(authorized(post(ACME)).header("Idempotency-Key", "a b"));

        assertProblem(keyed, 422, "idempotency-not-supported");
        assertProblem(malformed, 422, "validation-failed");
        assertThat(JSON.readTree(malformed.body()).get("errors").get(0).get("field").textValue())
                .isEqualTo("Idempotency-Key");
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void theQueryStringReachesTheListAndTheCursorPagesOverHttp() throws Exception {
        for (String name : new String[]{"A", "B", "C"}) {
            send(authorized(post("{\"name\":\"" + name + "\",\"environment\":\"staging\"}")));
        }
        send(authorized(post(ACME)));

        HttpResponse<String> first = send(authorized(HttpRequest.newBuilder(
                base.resolve("/api/v1/tenants?environment=staging&limit=2&unknown=1")).GET()));
        String cursor = JSON.readTree(first.body()).get("next_cursor").textValue();
        HttpResponse<String> second = send(authorized(HttpRequest.newBuilder(
                base.resolve("/api/v1/tenants?environment=staging&limit=2&cursor=" + cursor)).GET()));
        HttpResponse<String> invalid = send(authorized(HttpRequest.newBuilder(
                base.resolve("/api/v1/tenants?limit=500&status=alive")).GET()));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).get("tenants")).hasSize(2);
        assertThat(JSON.readTree(second.body()).get("tenants")).hasSize(1);
        assertThat(JSON.readTree(second.body()).get("next_cursor").isNull()).isTrue();
        assertProblem(invalid, 422, "validation-failed");
        assertThat(JSON.readTree(invalid.body()).get("errors")).extracting(error -> error.get("field").textValue())
                .containsExactly("status", "limit");
    }

    @Test
    void deleteTwiceAndRotateOverHttp() throws Exception {
        String location = send(authorized(post(ACME))).headers().firstValue("Location").orElseThrow();

        HttpResponse<String> rotated = send(authorized(HttpRequest.newBuilder(
                base.resolve(location + "/credentials/rotate")).POST(BodyPublishers.noBody())));
        HttpResponse<String> deleted = send(authorized(HttpRequest.newBuilder(base.resolve(location)).DELETE()));
        HttpResponse<String> again = send(authorized(HttpRequest.newBuilder(base.resolve(location)).DELETE()));
        HttpResponse<String> rotateDeleted = send(authorized(HttpRequest.newBuilder(
                base.resolve(location + "/credentials/rotate")).POST(BodyPublishers.noBody())));

        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(rotated.body()).get("status").textValue()).isEqualTo("active");
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(deleted.body()).get("status").textValue()).isEqualTo("deleted");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body())).isEqualTo(JSON.readTree(deleted.body()));
        assertProblem(rotateDeleted, 409, "tenant-not-active");
        assertThat(fakes.creator.databases()).isEmpty();
    }

    @Test
    void lifecycleRoutesNeedTheTokenToo() throws Exception {
        String location = send(authorized(post(ACME))).headers().firstValue("Location").orElseThrow();

        assertProblem(send(HttpRequest.newBuilder(base.resolve("/api/v1/tenants")).GET()), 401, "unauthorized");
        assertProblem(send(HttpRequest.newBuilder(base.resolve(location)).DELETE()), 401, "unauthorized");
        assertProblem(send(HttpRequest.newBuilder(base.resolve(location + "/credentials/rotate"))
                .POST(BodyPublishers.noBody())), 401, "unauthorized");
        assertThat(fakes.creator.databases()).hasSize(1);
    }

    private HttpRequest.Builder post(String json) {
        return post(BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder post(BodyPublisher body) {
        return HttpRequest.newBuilder(base.resolve("/api/v1/tenants"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(body);
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void assertProblem(HttpResponse<String> response, int status, String slug) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("type").textValue()).isEqualTo("https://tenantdb.io/problems/" + slug);
        assertThat(body.get("status").intValue()).isEqualTo(status);
        assertThat(body.get("title").textValue()).isNotBlank();
        assertThat(body.get("detail").textValue()).isNotBlank();
    }
}
