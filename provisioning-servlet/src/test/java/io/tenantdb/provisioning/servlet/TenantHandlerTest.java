package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.CapturedLog;
import io.tenantdb.provisioning.testing.InMemoryIdempotencyStore;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tenantdb.provisioning.servlet.HandlerAssertions.assertProblem;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.body;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.errors;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.fieldNames;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class TenantHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "hunter2-s3cr3t";

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final TenantHandler handler = new TenantHandler(fakes.provisioner());
    private CapturedLog log;

    @BeforeEach
    void captureLogs() {
        log = CapturedLog.of("io.tenantdb");
    }

    @AfterEach
    void releaseLogs() {
        log.close();
    }

    @Test
    void postCreatesAnActiveTenantAndAnswers201WithLocation() throws Exception {
        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":\"production\"}");

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = json(response);
        String id = body.get("tenant_id").textValue();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(response.header("Location")).isEqualTo("/api/v1/tenants/" + id);
        assertThat(body.get("name").textValue()).isEqualTo("Acme");
        assertThat(body.get("environment").textValue()).isEqualTo("production");
        assertThat(body.get("status").textValue()).isEqualTo("active");
        assertThat(body.get("database_name").textValue()).isEqualTo("car_" + id.replace('-', '_'));
        assertThat(Instant.parse(body.get("created_at").textValue())).isBeforeOrEqualTo(Instant.now());
        assertThat(fieldNames(body)).containsExactly(
                "tenant_id", "name", "environment", "status", "database_name", "created_at", "server");
        assertThat(fakes.creator.databases()).containsExactly("car_" + id.replace('-', '_'));
        assertThat(fakes.store.tenants()).extracting(Tenant::status).containsExactly(TenantStatus.ACTIVE);
    }

    @Test
    void locationFollowsTheMountPath() throws Exception {
        ApiResponse response = handler.handle(new ApiRequest("POST", "/app/api/v1", "/tenants", "application/json",
                -1, body("{\"name\":\"Acme\",\"environment\":\"staging\"}")));

        assertThat(response.header("Location"))
                .isEqualTo("/app/api/v1/tenants/" + json(response).get("tenant_id").textValue());
    }

    @Test
    void getReturnsTheTenantCreatedByPost() throws Exception {
        JsonNode created = json(post("{\"name\":\"Globex\",\"environment\":\"staging\"}"));

        ApiResponse response = get("/tenants/" + created.get("tenant_id").textValue());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(json(response)).isEqualTo(created);
    }

    @Test
    void getAcceptsAnUpperCaseId() throws Exception {
        String id = json(post("{\"name\":\"Initech\",\"environment\":\"development\"}")).get("tenant_id").textValue();

        assertThat(get("/tenants/" + id.toUpperCase()).status()).isEqualTo(200);
    }

    @Test
    void headIsAnsweredLikeGet() throws Exception {
        String id = json(post("{\"name\":\"Hooli\",\"environment\":\"development\"}")).get("tenant_id").textValue();

        ApiResponse response = handler.handle(new ApiRequest("HEAD", "/api/v1", "/tenants/" + id, null, -1,
                InputStream.nullInputStream()));

        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void getOfAnUnknownTenantIs404Problem() throws Exception {
        ApiResponse response = get("/tenants/" + UUID.randomUUID());

        assertProblem(response, 404, "not-found", "Not found");
        assertThat(json(response).get("detail").textValue()).isEqualTo("No tenant has this id.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-uuid", "1-1-1-1-1", "00000000-0000-0000-0000-00000000000g",
            "00000000000000000000000000000000", "%00"})
    void getOfAMalformedIdIs404(String id) throws Exception {
        assertProblem(get("/tenants/" + id), 404, "not-found", "Not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/tenant", "/tenants/", "/tenants/a/b", "/TENANTS", "/v2/tenants",
            "/tenants/00000000-0000-0000-0000-000000000000/credentials",
            "/tenants/00000000-0000-0000-0000-000000000000/credentials/rotate/",
            "/tenants/00000000-0000-0000-0000-000000000000/credentials/ROTATE", "/tenants//credentials/rotate"})
    void unknownPathsAre404(String path) throws Exception {
        ApiResponse response = handler.handle(new ApiRequest("GET", "/api/v1", path, null, -1,
                InputStream.nullInputStream()));

        assertProblem(response, 404, "not-found", "Not found");
    }

    @Test
    void aMissingPathIs404() throws Exception {
        assertProblem(handler.handle(new ApiRequest("GET", "/api/v1", null, null, -1, InputStream.nullInputStream())),
                404, "not-found", "Not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "get"})
    void otherMethodsOnTheCollectionAre405WithAllow(String method) throws Exception {
        ApiResponse response = handler.handle(new ApiRequest(method, "/api/v1", "/tenants", "application/json", -1,
                body("{}")));

        assertProblem(response, 405, "method-not-allowed", "Method not allowed");
        assertThat(response.header("Allow")).isEqualTo("GET, POST");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "OPTIONS", "TRACE"})
    void otherMethodsOnATenantAre405WithAllow(String method) throws Exception {
        ApiResponse response = handler.handle(new ApiRequest(method, "/api/v1", "/tenants/" + UUID.randomUUID(),
                "application/json", -1, body("{}")));

        assertProblem(response, 405, "method-not-allowed", "Method not allowed");
        assertThat(response.header("Allow")).isEqualTo("GET, HEAD, DELETE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})
    void otherMethodsOnRotateAre405WithAllow(String method) throws Exception {
        ApiResponse response = handler.handle(new ApiRequest(method, "/api/v1",
                "/tenants/" + UUID.randomUUID() + "/credentials/rotate", null, -1, InputStream.nullInputStream()));

        assertProblem(response, 405, "method-not-allowed", "Method not allowed");
        assertThat(response.header("Allow")).isEqualTo("POST");
    }

    @Test
    void theRouteTableListsEveryPathAndMethodInAllowOrder() {
        assertThat(handler.routes()).containsExactly(
                org.assertj.core.api.Assertions.entry("/tenants", List.of("GET", "POST")),
                org.assertj.core.api.Assertions.entry("/tenants/{id}", List.of("GET", "HEAD", "DELETE")),
                org.assertj.core.api.Assertions.entry("/tenants/{id}/credentials/rotate", List.of("POST")),
                org.assertj.core.api.Assertions.entry("/servers", List.of("GET", "POST")),
                org.assertj.core.api.Assertions.entry("/servers/{name}", List.of("PATCH")),
                org.assertj.core.api.Assertions.entry("/migrations", List.of("GET")),
                org.assertj.core.api.Assertions.entry("/warm-pool", List.of("GET")),
                org.assertj.core.api.Assertions.entry("/openapi.yaml", List.of("GET")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=utf-8", "application/json;charset=UTF-8",
            "Application/JSON", "application/json; charset=\"utf-8\"", "application/json; version=1"})
    void jsonContentTypesWithUtf8OrNoCharsetAreAccepted(String contentType) throws Exception {
        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":\"production\"}", contentType);

        assertThat(response.status()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonp",
            "application/problem+json", "application/json; charset=iso-8859-1", "application/json; charset=utf-16",
            "application/json; garbage", "text/json"})
    void otherContentTypesAre415(String contentType) throws Exception {
        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":\"production\"}", contentType);

        assertProblem(response, 415, "unsupported-media-type", "Unsupported media type");
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void aMissingContentTypeIs415() throws Exception {
        assertProblem(post("{\"name\":\"Acme\",\"environment\":\"production\"}", null),
                415, "unsupported-media-type", "Unsupported media type");
    }

    @Test
    void aBodyOfExactly16KiBIsAccepted() throws Exception {
        String json = "{\"name\":\"Acme\",\"environment\":\"production\"}";
        byte[] padded = (json + " ".repeat(RequestBody.MAX_BYTES - json.length()))
                .getBytes(StandardCharsets.UTF_8);
        assertThat(padded).hasSize(16 * 1024);

        ApiResponse response = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json",
                padded.length, new ByteArrayInputStream(padded)));

        assertThat(response.status()).isEqualTo(201);
    }

    @Test
    void aBodyOverTheCapIs413EvenWhenContentLengthLiesAndReadingIsBounded() throws Exception {
        CountingStream endless = new CountingStream();

        ApiResponse response = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json",
                42, endless));

        assertProblem(response, 413, "payload-too-large", "Request body too large");
        // The cap plus one byte to detect the excess, then a bounded drain that finds no end: the connection closes.
        assertThat(endless.served)
                .isEqualTo(RequestBody.MAX_BYTES + 1 + RequestBody.DRAIN_LIMIT_BYTES + 1);
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void aSlightlyOversizedBodyIsDrainedSoTheConnectionStaysUsable() throws Exception {
        byte[] big = new byte[RequestBody.MAX_BYTES * 2];
        java.util.Arrays.fill(big, (byte) ' ');
        ByteArrayInputStream body = new ByteArrayInputStream(big);

        ApiResponse response = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json",
                big.length, body));

        assertProblem(response, 413, "payload-too-large", "Request body too large");
        assertThat(body.available()).isZero();
        assertThat(response.header("Connection")).isNull();
    }

    @Test
    void aBodyOverTheCapWithoutContentLengthIs413() throws Exception {
        byte[] big = new byte[RequestBody.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');

        ApiResponse response = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json",
                -1, new ByteArrayInputStream(big)));

        assertProblem(response, 413, "payload-too-large", "Request body too large");
    }

    @Test
    void aDeclaredLengthOverTheDrainLimitIs413WithoutReadingAndClosesTheConnection() throws Exception {
        CountingStream endless = new CountingStream();

        ApiResponse response = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json",
                RequestBody.DRAIN_LIMIT_BYTES + 1, endless));

        assertProblem(response, 413, "payload-too-large", "Request body too large");
        assertThat(endless.served).isZero();
        assertThat(response.header("Connection")).isEqualTo("close");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":\"Acme\",\"environment\":",               // truncated
            "{\"name\":\"Acme\",\"name\":\"Evil\",\"environment\":\"production\"}", // duplicate key
            "{\"name\":\"Acme\",\"environment\":\"production\"} trailing",
            "{\"name\":\"Acme\",\"environment\":\"production\"}{}",
            "{'name':'Acme','environment':'production'}",     // not JSON
            "{\"name\":\"Acme\",/*c*/\"environment\":\"production\"}",
            "\uFEFF{\"name\":\"Acme\",\"environment\":\"production\"}", // byte order mark
            "[{\"name\":\"Acme\",\"environment\":\"production\"}]",
            "\"name\"",
            "42",
            "null",
            "",
            "   "})
    void malformedJsonOrANonObjectIs400(String body) throws Exception {
        ApiResponse response = post(body);

        assertProblem(response, 400, "malformed-request", "Malformed request");
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void deeplyNestedJsonIs400NotAStackOverflow() throws Exception {
        String deep = "{\"name\":" + "[".repeat(8000) + "]".repeat(8000) + ",\"environment\":\"production\"}";

        assertProblem(post(deep), 400, "malformed-request", "Malformed request");
    }

    @Test
    void invalidUtf8Is400() throws Exception {
        byte[] prefix = "{\"name\":\"Ac".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "me\",\"environment\":\"production\"}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + 2 + suffix.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3;     // a lead byte followed by a non-continuation byte
        body[prefix.length + 1] = (byte) 0x28;
        System.arraycopy(suffix, 0, body, prefix.length + 2, suffix.length);

        ApiResponse response = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json",
                body.length, new ByteArrayInputStream(body)));

        assertProblem(response, 400, "malformed-request", "Malformed request");
        assertThat(json(response).get("detail").textValue()).isEqualTo("The request body is not valid UTF-8.");
    }

    @Test
    void anEncodedSurrogateIs400() throws Exception {
        // CESU-style encoding of U+D800: well-formed in Java's modified UTF-8, refused by strict UTF-8.
        byte[] body = concat("{\"name\":\"", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                "\",\"environment\":\"production\"}");

        assertProblem(handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json", -1,
                new ByteArrayInputStream(body))), 400, "malformed-request", "Malformed request");
    }

    @Test
    void everyFieldErrorIsReportedAtOnce() throws Exception {
        ApiResponse response = post("{}");

        assertProblem(response, 422, "validation-failed", "Invalid request");
        assertThat(errors(response)).containsExactly(
                tuple("name", "is required"), tuple("environment", "is required"));
    }

    @Test
    void nullFieldsAreMissingFields() throws Exception {
        assertThat(errors(post("{\"name\":null,\"environment\":null}"))).containsExactly(
                tuple("name", "is required"), tuple("environment", "is required"));
    }

    @Test
    void nonStringFieldsAre422() throws Exception {
        ApiResponse response = post("{\"name\":42,\"environment\":[\"production\"]}");

        assertProblem(response, 422, "validation-failed", "Invalid request");
        assertThat(errors(response)).containsExactly(
                tuple("name", "must be a string"), tuple("environment", "must be a string"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Production", "prod", " production", "", "testing"})
    void anUnknownEnvironmentIs422(String environment) throws Exception {
        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":" + JSON.writeValueAsString(environment) + "}");

        assertThat(errors(response)).containsExactly(
                tuple("environment", "must be one of development, staging, production"));
    }

    @Test
    void aBlankNameIs422() throws Exception {
        assertThat(errors(post("{\"name\":\"   \",\"environment\":\"production\"}")))
                .containsExactly(tuple("name", "must not be blank"));
    }

    @Test
    void anEmptyNameIs422() throws Exception {
        assertThat(errors(post("{\"name\":\"\",\"environment\":\"production\"}")))
                .containsExactly(tuple("name", "must be 1 to 255 characters long"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ac\\u0000me", "Ac\\u0007me", "line\\nbreak", "tab\\there", "del\\u007f",
            "c1\\u0085", "bidi\\u202Eevil", "sep\\u2028", "lone\\ud800surrogate"})
    void controlCharactersInTheNameAre422(String escapedName) throws Exception {
        ApiResponse response = post("{\"name\":\"" + escapedName + "\",\"environment\":\"production\"}");

        assertThat(errors(response)).containsExactly(tuple("name", "must not contain control characters"));
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void aNameOver255CharactersIs422AndBothFieldsAreReported() throws Exception {
        ApiResponse response = post("{\"name\":\"" + "x".repeat(256) + "\",\"environment\":\"nope\"}");

        assertThat(errors(response)).containsExactly(
                tuple("name", "must be 1 to 255 characters long"),
                tuple("environment", "must be one of development, staging, production"));
    }

    @Test
    void unicodeNamesAreKeptExactlyAndCountedInCodePoints() throws Exception {
        String name = "Zürich 東京 Ωmega 🚀" + "🦄".repeat(238);
        assertThat(name.codePointCount(0, name.length())).isEqualTo(255);
        assertThat(name.length()).isGreaterThan(255);

        ApiResponse created = post(JSON.writeValueAsString(new NameAndEnvironment(name, "production")));

        assertThat(created.status()).isEqualTo(201);
        assertThat(json(created).get("name").textValue()).isEqualTo(name);
        String id = json(created).get("tenant_id").textValue();
        assertThat(json(get("/tenants/" + id)).get("name").textValue()).isEqualTo(name);
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":\"production\",\"plan\":\"gold\","
                + "\"tenant_id\":\"00000000-0000-0000-0000-000000000000\",\"nested\":{\"a\":[1,2]}}");

        assertThat(response.status()).isEqualTo(201);
        assertThat(json(response).get("tenant_id").textValue()).isNotEqualTo("00000000-0000-0000-0000-000000000000");
        assertThat(json(response).has("plan")).isFalse();
    }

    @Test
    void theSameNameInTheSameEnvironmentIs409CaseInsensitively() throws Exception {
        assertThat(post("{\"name\":\"Acme\",\"environment\":\"production\"}").status()).isEqualTo(201);

        ApiResponse duplicate = post("{\"name\":\"ACME\",\"environment\":\"production\"}");

        assertProblem(duplicate, 409, "duplicate-tenant", "Tenant already exists");
        assertThat(post("{\"name\":\"acme\",\"environment\":\"staging\"}").status()).isEqualTo(201);
    }

    @Test
    void anUnreachableControlPlaneIs503WithRetryAfterAndNoMessage() throws Exception {
        fakes.store.faults().arm("reserve",
                new SQLTransientConnectionException("connect to db.internal as admin password=" + SECRET, "08001"));

        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":\"production\"}");

        assertProblem(response, 503, "service-unavailable", "Service unavailable");
        assertThat(response.header("Retry-After")).isEqualTo("5");
        assertNoLeak(response, "db.internal", "08001", "Exception");
        assertThat(log.messages()).anyMatch(line -> line.contains("POST /tenants answered 503: DATABASE_UNAVAILABLE"));
    }

    @Test
    void aFailedStepIs500WithAGenericDetailAndNothingLeftBehind() throws Exception {
        fakes.creator.faults().arm("create-database",
                new SQLException("ERROR: syntax error at CREATE DATABASE x OWNER y PASSWORD '" + SECRET + "'",
                        "42601"));

        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":\"production\"}");

        assertProblem(response, 500, "internal-error", "Internal error");
        assertThat(json(response).get("detail").textValue())
                .isEqualTo("The request failed on the server. The failure has been logged.");
        assertNoLeak(response, "CREATE", "syntax", "42601", "Exception");
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(fakes.creator.roles()).isEmpty();
        assertThat(fakes.store.tenants()).isEmpty();
        assertThat(log.messages()).anyMatch(line -> line.contains("POST /tenants answered 500: CREATE_FAILED"));
    }

    @Test
    void aFailedVerificationIs500() throws Exception {
        fakes.verifier.faults().arm("verify", new SQLException("password authentication failed " + SECRET, "28P01"));

        ApiResponse response = post("{\"name\":\"Acme\",\"environment\":\"production\"}");

        assertProblem(response, 500, "internal-error", "Internal error");
        assertNoLeak(response, "password", "28P01");
        assertThat(log.messages()).anyMatch(line -> line.contains("VERIFY_FAILED"));
    }

    @Test
    void aFailedReadIs500AndTheLogNamesTheTenant() throws Exception {
        UUID id = UUID.randomUUID();
        fakes.store.faults().arm("find", new SQLException("relation control_plane.tenants " + SECRET, "XX000"));

        ApiResponse response = get("/tenants/" + id);

        assertProblem(response, 500, "internal-error", "Internal error");
        assertNoLeak(response, "control_plane", "XX000");
        assertThat(log.messages()).anyMatch(line ->
                line.contains("GET /tenants/{id} answered 500: STORE_FAILED") && line.contains(id.toString()));
    }

    @Test
    void anUnreachableControlPlaneOnReadIs503() throws Exception {
        fakes.store.faults().arm("find", new SQLException("connection refused " + SECRET, "08006"));

        ApiResponse response = get("/tenants/" + UUID.randomUUID());

        assertProblem(response, 503, "service-unavailable", "Service unavailable");
        assertThat(response.header("Retry-After")).isEqualTo("5");
        assertNoLeak(response, "refused");
    }

    @Test
    void anUnexpectedExceptionIs500WithoutItsMessage() throws Exception {
        // A proxy, not an implementation, so the test keeps compiling when the interface grows.
        TenantProvisioner throwing = (TenantProvisioner) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{TenantProvisioner.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("bug with " + SECRET);
                });
        TenantHandler broken = new TenantHandler(throwing);

        String item = "/tenants/" + UUID.randomUUID();
        List<ApiRequest> requests = List.of(
                new ApiRequest("POST", "/api/v1", "/tenants", "application/json", -1,
                        body("{\"name\":\"Acme\",\"environment\":\"production\"}")),
                new ApiRequest("GET", "/api/v1", "/tenants", null, -1, InputStream.nullInputStream()),
                new ApiRequest("GET", "/api/v1", item, null, -1, InputStream.nullInputStream()),
                new ApiRequest("DELETE", "/api/v1", item, null, -1, InputStream.nullInputStream()),
                new ApiRequest("POST", "/api/v1", item + "/credentials/rotate", null, -1,
                        InputStream.nullInputStream()));

        for (ApiRequest request : requests) {
            ApiResponse response = broken.handle(request);

            assertProblem(response, 500, "internal-error", "Internal error");
            assertNoLeak(response, "bug", "IllegalState");
        }
        assertThat(log.messages()).filteredOn(line -> line.contains("unexpected java.lang.IllegalStateException"))
                .hasSize(requests.size());
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeMapsToOneProblem(ErrorCode code) throws Exception {
        ApiResponse response = ProblemMapper.of(code);

        int expected = switch (code) {
            case INVALID_REQUEST, IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_NOT_SUPPORTED, SERVER_UNREACHABLE,
                    SERVER_NOT_PRIVILEGED -> 422;
            case DUPLICATE_TENANT, REQUEST_IN_PROGRESS, TENANT_NOT_ACTIVE, DUPLICATE_SERVER -> 409;
            case TENANT_NOT_FOUND, SERVER_NOT_FOUND -> 404;
            case DATABASE_UNAVAILABLE, NO_CAPACITY -> 503;
            default -> 500;
        };
        assertThat(response.status()).isEqualTo(expected);
        assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
        JsonNode body = json(response);
        assertThat(body.get("status").intValue()).isEqualTo(expected);
        assertThat(body.get("type").textValue()).startsWith("https://tenantdb.io/problems/");
        assertThat(body.get("title").textValue()).isNotBlank();
        assertThat(body.get("detail").textValue()).isNotBlank();
        assertThat(body.has("errors")).isEqualTo(expected == 422);
        assertThat(response.header("Retry-After")).isEqualTo(
                code == ErrorCode.NO_CAPACITY ? "60" : expected == 503 ? "5"
                        : code == ErrorCode.REQUEST_IN_PROGRESS ? "2" : null);
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheSameTenantOnce() throws Exception {
        TenantHandler idempotent =
                new TenantHandler(fakes.builder().idempotencyStore(new InMemoryIdempotencyStore()).build());
        String body = "{\"name\":\"Acme\",\"environment\":\"production\"}";

        ApiResponse first = idempotent.handle(keyed(body, "key-1"));
        ApiResponse again = idempotent.handle(keyed(body, "key-1"));

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(json(again).get("tenant_id")).isEqualTo(json(first).get("tenant_id"));
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(fakes.store.tenants()).hasSize(1);
    }

    @Test
    void anIdempotencyKeyReusedForAnotherRequestIs422() throws Exception {
        TenantHandler idempotent =
                new TenantHandler(fakes.builder().idempotencyStore(new InMemoryIdempotencyStore()).build());
        idempotent.handle(keyed("{\"name\":\"Acme\",\"environment\":\"production\"}", "key-1"));

        ApiResponse reused = idempotent.handle(keyed("{\"name\":\"Other\",\"environment\":\"production\"}", "key-1"));

        assertProblem(reused, 422, "idempotency-key-reused", "Idempotency key reused");
        assertThat(json(reused).get("errors").get(0).get("field").textValue()).isEqualTo("Idempotency-Key");
        assertThat(fakes.store.tenants()).hasSize(1);
    }

    @Test
    void anIdempotencyKeyStillInUseIs409WithRetryAfter() throws Exception {
        HeldVerifier verifier = new HeldVerifier(fakes.verifier);
        TenantHandler idempotent = new TenantHandler(fakes.builder().connectionVerifier(verifier)
                .idempotencyStore(new InMemoryIdempotencyStore()).build());
        String body = "{\"name\":\"Acme\",\"environment\":\"production\"}";
        verifier.hold();
        CompletableFuture<ApiResponse> first =
                CompletableFuture.supplyAsync(() -> handle(idempotent, keyed(body, "key-1")));
        verifier.awaitHeld();

        ApiResponse pending = idempotent.handle(keyed(body, "key-1"));

        verifier.release();
        assertProblem(pending, 409, "request-in-progress", "Request in progress");
        assertThat(pending.header("Retry-After")).isEqualTo("2");
        assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(201);
    }

    @Test
    void aRetryFindsTheTenantWhoseRequestActivatedItButNeverRecordedTheKey() throws Exception {
        InMemoryIdempotencyStore keys = new InMemoryIdempotencyStore();
        TenantHandler idempotent = new TenantHandler(fakes.builder().idempotencyStore(keys).build());
        String body = "{\"name\":\"Acme\",\"environment\":\"production\"}";
        // The first request provisions but its key's completion is lost, as if the process died after activating.
        keys.faults().arm("complete", new SQLException("lost", "08006"));
        ApiResponse first = idempotent.handle(keyed(body, "key-1"));

        ApiResponse retry = idempotent.handle(keyed(body, "key-1"));

        assertThat(retry.status()).isEqualTo(201);
        assertThat(json(retry).get("tenant_id")).isEqualTo(json(first).get("tenant_id"));
        assertThat(fakes.store.tenants()).hasSize(1);
    }

    private static ApiResponse handle(TenantHandler handler, ApiRequest request) {
        try {
            return handler.handle(request);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "caf\u00e9", "tab\tkey"})
    void aMalformedIdempotencyKeyIs422(String key) throws Exception {
        ApiResponse response = handler.handle(keyed("{\"name\":\"Acme\",\"environment\":\"production\"}", key));

        assertThat(errors(response)).containsExactly(
                tuple("Idempotency-Key", "must be 1 to 255 visible ASCII characters"));
    }

    @Test
    void anIdempotencyKeyOver255CharactersIs422() throws Exception {
        ApiResponse response = handler.handle(keyed("{\"name\":\"Acme\",\"environment\":\"production\"}",
                "k".repeat(256)));

        assertThat(errors(response)).containsExactly(
                tuple("Idempotency-Key", "must be 1 to 255 visible ASCII characters"));
    }

    private static ApiRequest keyed(String json, String key) {
        return new ApiRequest("POST", "/api/v1", "/tenants", "application/json", -1, body(json), key);
    }

    private ApiResponse post(String json) throws IOException {
        return post(json, "application/json");
    }

    private ApiResponse post(String json, String contentType) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", contentType, bytes.length,
                new ByteArrayInputStream(bytes)));
    }

    private ApiResponse get(String path) throws IOException {
        return handler.handle(new ApiRequest("GET", "/api/v1", path, null, -1, InputStream.nullInputStream()));
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] a = head.getBytes(StandardCharsets.UTF_8);
        byte[] c = tail.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }

    private void assertNoLeak(ApiResponse response, String... fragments) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(body).doesNotContain(SECRET).doesNotContain("\tat ");
        for (String fragment : fragments) {
            assertThat(body).doesNotContain(fragment);
        }
        assertThat(log.messages()).noneMatch(line -> line.contains(SECRET));
    }

    private record NameAndEnvironment(String name, String environment) {
    }

    /** An endless body of spaces that counts what it served. */
    private static final class CountingStream extends InputStream {
        private long served;

        @Override
        public int read() {
            served++;
            return ' ';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) ' ');
            served += len;
            return len;
        }
    }
}
