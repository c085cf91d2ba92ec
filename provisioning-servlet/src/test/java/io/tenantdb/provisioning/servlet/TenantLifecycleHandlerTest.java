package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantCursor;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.tenantdb.provisioning.servlet.HandlerAssertions.assertProblem;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.body;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.errors;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.fieldNames;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The lifecycle routes of {@link TenantHandler}: list, deprovision and credential rotation, without a server. */
class TenantLifecycleHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final TenantProvisioner provisioner = fakes.provisioner();
    private final TenantHandler handler = new TenantHandler(provisioner);

    // ---- GET /tenants

    @Test
    void anEmptyListHasNoCursor() throws Exception {
        ApiResponse response = list(null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(json(response)).isEqualTo(JSON.readTree("{\"tenants\":[],\"next_cursor\":null}"));
    }

    @Test
    void theListHoldsTheSameBodyAsGetOneAndNeverASecret() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);
        JsonNode one = json(get("/tenants/" + tenant.id()));

        JsonNode listed = json(list(null)).get("tenants");

        assertThat(listed).hasSize(1);
        assertThat(listed.get(0)).isEqualTo(one);
        assertThat(fieldNames(listed.get(0))).containsExactly(
                "tenant_id", "name", "environment", "status", "database_name", "created_at", "server");
        String body = new String(list(null).body(), StandardCharsets.UTF_8);
        assertThat(body).doesNotContain("pw-").doesNotContain("fake-host").doesNotContain("postgresql://");
    }

    @Test
    void theDefaultPageHolds20TenantsNewestFirstAndTheCursorWalksEveryTenantOnce() throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            created.add(provision("Tenant " + i, Environment.STAGING).id().toString());
        }

        JsonNode first = json(list(null));
        assertThat(first.get("tenants")).hasSize(TenantHandler.DEFAULT_LIMIT);
        List<String> seen = new ArrayList<>(ids(first));
        String cursor = first.get("next_cursor").textValue();
        int pages = 1;
        while (cursor != null) {
            JsonNode page = json(list("cursor=" + cursor));
            seen.addAll(ids(page));
            cursor = page.get("next_cursor").textValue();
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
        List<Instant> times = new ArrayList<>();
        for (String id : seen) {
            times.add(provisioner.find(UUID.fromString(id)).orElseThrow().createdAt());
        }
        assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "7", "100"})
    void theLimitSetsThePageSize(String limit) throws Exception {
        for (int i = 0; i < 8; i++) {
            provision("T" + i, Environment.DEVELOPMENT);
        }

        JsonNode page = json(list("limit=" + limit));

        assertThat(page.get("tenants")).hasSize(Math.min(8, Integer.parseInt(limit)));
        assertThat(page.get("next_cursor").isNull()).isEqualTo(Integer.parseInt(limit) >= 8);
    }

    @Test
    void filtersSelectByEnvironmentAndStatus() throws Exception {
        Tenant production = provision("Acme", Environment.PRODUCTION);
        provision("Globex", Environment.STAGING);
        Tenant deleted = provision("Initech", Environment.PRODUCTION);
        provisioner.deprovision(deleted.id());

        assertThat(ids(json(list("environment=production&status=active"))))
                .containsExactly(production.id().toString());
        assertThat(ids(json(list("status=deleted")))).containsExactly(deleted.id().toString());
        assertThat(ids(json(list("environment=production")))).hasSize(2);
        assertThat(ids(json(list("environment=development")))).isEmpty();
    }

    @Test
    void queryValuesArePercentAndPlusDecodedAndUnknownParametersIgnored() throws Exception {
        Tenant production = provision("Acme", Environment.PRODUCTION);

        JsonNode page = json(list("%65nvironment=%70roduction&plan=gold+plus&flag&x=%E6%9D%B1&&limit=5"));

        assertThat(ids(page)).containsExactly(production.id().toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "environment=prod|environment|must be one of development, staging, production",
            "environment=Production|environment|must be one of development, staging, production",
            "environment=|environment|must be one of development, staging, production",
            "status=ACTIVE|status|must be one of provisioning, active, failed, deleting, deleted",
            "status=gone|status|must be one of provisioning, active, failed, deleting, deleted",
            "limit=0|limit|must be an integer from 1 to 100",
            "limit=101|limit|must be an integer from 1 to 100",
            "limit=-1|limit|must be an integer from 1 to 100",
            "limit=%2B5|limit|must be an integer from 1 to 100",
            "limit=5.0|limit|must be an integer from 1 to 100",
            "limit=99999999999|limit|must be an integer from 1 to 100",
            "limit=|limit|must be an integer from 1 to 100",
            "cursor=junk|cursor|must be a next_cursor value from an earlier page",
            "cursor=|cursor|must be a next_cursor value from an earlier page",
            "limit=1&limit=2|limit|must be given at most once",
            "environment=staging&environment=staging|environment|must be given at most once"})
    void anInvalidParameterIs422NamingIt(String query, String field, String message) throws Exception {
        assertThat(errors(list(query))).containsExactly(tuple(field, message));
    }

    @Test
    void everyInvalidParameterIsReportedAtOnce() throws Exception {
        assertThat(errors(list("environment=x&status=y&limit=z&cursor=w"))).containsExactly(
                tuple("environment", "must be one of development, staging, production"),
                tuple("status", "must be one of provisioning, active, failed, deleting, deleted"),
                tuple("limit", "must be an integer from 1 to 100"),
                tuple("cursor", "must be a next_cursor value from an earlier page"));
    }

    @Test
    void aCursorFromAnotherPageSizeStillWorks() throws Exception {
        for (int i = 0; i < 3; i++) {
            provision("T" + i, Environment.DEVELOPMENT);
        }
        String cursor = json(list("limit=1")).get("next_cursor").textValue();

        assertThat(TenantCursor.decode(cursor)).isNotNull();
        assertThat(json(list("limit=50&cursor=" + cursor)).get("tenants")).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=%zz", "limit=%2", "limit=%", "environment=%C3%28", "x=%ED%A0%80", "café=1"})
    void aQueryThatIsNotPercentEncodedUtf8Is400(String query) throws Exception {
        assertProblem(list(query), 400, "malformed-request", "Malformed request");
    }

    @Test
    void aFailedListIs500AndAnUnreachableStore503() throws Exception {
        fakes.store.faults().arm("list", new SQLException("relation control_plane.tenants", "XX000"));
        ApiResponse failed = list(null);
        fakes.store.faults().arm("list", new SQLTransientConnectionException("refused", "08001"));
        ApiResponse unavailable = list(null);

        assertProblem(failed, 500, "internal-error", "Internal error");
        assertThat(new String(failed.body(), StandardCharsets.UTF_8)).doesNotContain("control_plane");
        assertProblem(unavailable, 503, "service-unavailable", "Service unavailable");
        assertThat(unavailable.header("Retry-After")).isEqualTo("5");
    }

    // ---- DELETE /tenants/{id}

    @Test
    void deleteDropsTheDatabaseAndAnswersTheTombstone() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);

        ApiResponse response = delete(tenant.id().toString());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = json(response);
        assertThat(body.get("tenant_id").textValue()).isEqualTo(tenant.id().toString());
        assertThat(body.get("status").textValue()).isEqualTo("deleted");
        assertThat(body.get("database_name").textValue()).isEqualTo(tenant.databaseName());
        assertThat(fakes.creator.databases()).isEmpty();
        assertThat(fakes.creator.roles()).isEmpty();
        assertThat(json(get("/tenants/" + tenant.id())).get("status").textValue()).isEqualTo("deleted");
    }

    @Test
    void deletingTwiceAnswers200BothTimes() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);

        JsonNode first = json(delete(tenant.id().toString()));
        ApiResponse again = delete(tenant.id().toString().toUpperCase());

        assertThat(again.status()).isEqualTo(200);
        assertThat(json(again)).isEqualTo(first);
    }

    @Test
    void aDeletedNameCanBeProvisionedAgain() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);
        delete(tenant.id().toString());

        assertThat(provision("Acme", Environment.PRODUCTION).id()).isNotEqualTo(tenant.id());
    }

    @ParameterizedTest
    @ValueSource(strings = {"3f1c0a52-6f1e-4d0a-9a7b-2a4b5c6d7e8f", "not-a-uuid", "1-1-1-1-1"})
    void deletingAnUnknownOrMalformedIdIs404(String id) throws Exception {
        assertProblem(delete(id), 404, "not-found", "Not found");
    }

    @Test
    void deletingATenantStillProvisioningIs409AndLeavesIt() throws Exception {
        Tenant pending = reserveProvisioning();

        ApiResponse response = delete(pending.id().toString());

        assertProblem(response, 409, "tenant-not-active", "Tenant not active");
        assertThat(provisioner.find(pending.id())).map(Tenant::status).hasValue(TenantStatus.PROVISIONING);
    }

    @Test
    void anUnreachableStoreOnDeleteIs503AndARetryFinishesTheDeletion() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);
        fakes.store.faults().arm("finish-deletion", new SQLTransientConnectionException("refused", "08006"));

        ApiResponse interrupted = delete(tenant.id().toString());
        ApiResponse retried = delete(tenant.id().toString());

        assertProblem(interrupted, 503, "service-unavailable", "Service unavailable");
        assertThat(retried.status()).isEqualTo(200);
        assertThat(json(retried).get("status").textValue()).isEqualTo("deleted");
    }

    @Test
    void aFailedDropIs500() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);
        fakes.creator.faults().arm("drop", new SQLException("DROP DATABASE failed", "XX000"));

        ApiResponse response = delete(tenant.id().toString());

        assertProblem(response, 500, "internal-error", "Internal error");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("DROP");
    }

    @Test
    void deleteIgnoresAnyBody() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);

        ApiResponse response = handler.handle(new ApiRequest("DELETE", "/api/v1", "/tenants/" + tenant.id(),
                "text/plain", 3, body("xyz")));

        assertThat(response.status()).isEqualTo(200);
    }

    // ---- POST /tenants/{id}/credentials/rotate

    @Test
    void rotateStoresANewSecretAndAnswersTheTenant() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);
        String before = fakes.store.findDatabase(tenant.id()).orElseThrow().connectionStringEncrypted();

        ApiResponse response = rotate(tenant.id().toString(), null, InputStream.nullInputStream());

        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response)).isEqualTo(json(get("/tenants/" + tenant.id())));
        assertThat(json(response).get("status").textValue()).isEqualTo("active");
        assertThat(fakes.store.findDatabase(tenant.id()).orElseThrow().connectionStringEncrypted())
                .isNotEqualTo(before);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("pw-");
    }

    @Test
    void rotateIgnoresAnyBodyAndContentType() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);

        ApiResponse response = rotate(tenant.id().toString(), "text/plain", body("{not json"));

        assertThat(response.status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3f1c0a52-6f1e-4d0a-9a7b-2a4b5c6d7e8f", "nope"})
    void rotatingAnUnknownOrMalformedIdIs404(String id) throws Exception {
        assertProblem(rotate(id, null, InputStream.nullInputStream()), 404, "not-found", "Not found");
    }

    @Test
    void rotatingATenantThatIsNotActiveIs409() throws Exception {
        Tenant pending = reserveProvisioning();
        Tenant deleted = provision("Gone", Environment.STAGING);
        provisioner.deprovision(deleted.id());

        assertProblem(rotate(pending.id().toString(), null, InputStream.nullInputStream()),
                409, "tenant-not-active", "Tenant not active");
        assertProblem(rotate(deleted.id().toString(), null, InputStream.nullInputStream()),
                409, "tenant-not-active", "Tenant not active");
    }

    @Test
    void aFailedRotationIs500AndKeepsTheOldSecret() throws Exception {
        Tenant tenant = provision("Acme", Environment.PRODUCTION);
        String before = fakes.store.findDatabase(tenant.id()).orElseThrow().connectionStringEncrypted();
        fakes.store.faults().arm("replace-secret", new SQLException("write failed", "XX000"));

        ApiResponse response = rotate(tenant.id().toString(), null, InputStream.nullInputStream());

        assertProblem(response, 500, "internal-error", "Internal error");
        assertThat(fakes.store.findDatabase(tenant.id()).orElseThrow().connectionStringEncrypted())
                .isEqualTo(before);
    }

    @Test
    void anUnreachableStoreOnRotateIs503() throws Exception {
        fakes.store.faults().arm("find", new SQLTransientConnectionException("refused", "08006"));

        ApiResponse response = rotate(UUID.randomUUID().toString(), null, InputStream.nullInputStream());

        assertProblem(response, 503, "service-unavailable", "Service unavailable");
        assertThat(response.header("Retry-After")).isEqualTo("5");
    }

    // ---- Idempotency-Key without a store

    @Test
    void anIdempotencyKeyWithoutAStoreIs422NamingTheHeader() throws Exception {
        ApiResponse response = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json", -1,
                body("{\"name\":\"Acme\",\"environment\":\"production\"}"), "key-1"));

        assertProblem(response, 422, "idempotency-not-supported", "Idempotency not supported");
        JsonNode errors = json(response).get("errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("field").textValue()).isEqualTo("Idempotency-Key");
        assertThat(errors.get(0).get("message").textValue()).contains("no idempotency store");
        assertThat(fakes.store.tenants()).isEmpty();
    }

    // ---- query parsing

    @Test
    void queryParametersKeepEveryValueInOrder() {
        assertThat(QueryString.parse("a=1&b&a=2&c=x+y%21&&=e").orElseThrow())
                .containsExactly(
                        org.assertj.core.api.Assertions.entry("a", List.of("1", "2")),
                        org.assertj.core.api.Assertions.entry("b", List.of("")),
                        org.assertj.core.api.Assertions.entry("c", List.of("x y!")),
                        org.assertj.core.api.Assertions.entry("", List.of("e")));
        assertThat(QueryString.parse(null).orElseThrow()).isEmpty();
        assertThat(QueryString.parse("").orElseThrow()).isEmpty();
        assertThat(QueryString.parse("a=%f0%9f%9a%80").orElseThrow().get("a"))
                .containsExactly("\uD83D\uDE80");
    }

    private Tenant provision(String name, Environment environment) {
        return provisioner.provision(new TenantRequest(name, environment));
    }

    /** A tenant whose provisioning is still running, as the control plane shows it mid-saga. */
    private Tenant reserveProvisioning() throws SQLException {
        UUID id = UUID.randomUUID();
        Tenant pending = new Tenant(id, "Pending " + id, Environment.PRODUCTION, TenantStatus.PROVISIONING,
                "car_" + id.toString().replace('-', '_'), Instant.now());
        assertThat(fakes.store.reserve(pending)).isTrue();
        return pending;
    }

    private ApiResponse list(String query) throws IOException {
        return handler.handle(new ApiRequest("GET", "/api/v1", "/tenants", query, null, -1,
                InputStream.nullInputStream(), null));
    }

    private ApiResponse get(String path) throws IOException {
        return handler.handle(new ApiRequest("GET", "/api/v1", path, null, -1, InputStream.nullInputStream()));
    }

    private ApiResponse delete(String id) throws IOException {
        return handler.handle(new ApiRequest("DELETE", "/api/v1", "/tenants/" + id, null, -1,
                InputStream.nullInputStream()));
    }

    private ApiResponse rotate(String id, String contentType, InputStream body) throws IOException {
        return handler.handle(new ApiRequest("POST", "/api/v1", "/tenants/" + id + "/credentials/rotate",
                contentType, -1, body));
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("tenants").forEach(tenant -> ids.add(tenant.get("tenant_id").textValue()));
        return ids;
    }

}
