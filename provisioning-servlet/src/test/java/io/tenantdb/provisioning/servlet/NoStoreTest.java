package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.tenantdb.provisioning.servlet.HandlerAssertions.body;
import static org.assertj.core.api.Assertions.assertThat;

/** http-api.md: every response carries {@code Cache-Control: no-store}, problem documents included. */
class NoStoreTest {

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final TenantHandler handler = new TenantHandler(fakes.provisioner());

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void theProblemOfEveryErrorCodeIsNotStored(ErrorCode code) {
        assertThat(ProblemMapper.of(code).header("Cache-Control")).isEqualTo("no-store");
    }

    @ParameterizedTest
    @EnumSource(ProblemType.class)
    void everyProblemTypeIsNotStored(ProblemType type) {
        assertThat(ProblemMapper.problem(type, "detail").header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void theTokenFiltersRefusalIsNotStored() {
        assertThat(BearerTokenFilter.unauthorized().header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void everyAnswerOfTheHandlerSuccessOrProblemIsNotStored() throws Exception {
        String acme = "{\"name\":\"Acme\",\"environment\":\"production\"}";
        List<ApiResponse> responses = new ArrayList<>();
        ApiResponse created = handler.handle(post(acme, "application/json"));
        String id = HandlerAssertions.json(created).get("tenant_id").textValue();
        responses.add(created);
        responses.add(handler.handle(get("/tenants/" + id)));
        responses.add(handler.handle(get("/tenants")));
        responses.add(handler.handle(new ApiRequest("POST", "/api/v1", "/tenants/" + id + "/credentials/rotate",
                null, -1, InputStream.nullInputStream())));
        responses.add(handler.handle(post(acme, "application/json")));                       // 409
        responses.add(handler.handle(post("{", "application/json")));                         // 400
        responses.add(handler.handle(post(acme, "text/plain")));                              // 415
        responses.add(handler.handle(post("{\"name\":\"\",\"environment\":\"x\"}", "application/json"))); // 422
        responses.add(handler.handle(post("x".repeat(17 * 1024), "application/json")));       // 413
        responses.add(handler.handle(get("/tenants/" + UUID.randomUUID())));                  // 404
        responses.add(handler.handle(get("/nothing")));                                       // 404
        responses.add(handler.handle(new ApiRequest("PUT", "/api/v1", "/tenants", null, -1,
                InputStream.nullInputStream())));                                            // 405
        fakes.store.faults().arm("find", new SQLTransientConnectionException("down", "08001"));
        responses.add(handler.handle(get("/tenants/" + id)));                                 // 503
        fakes.store.faults().arm("find", new SQLException("broken", "XX000"));
        responses.add(handler.handle(get("/tenants/" + id)));                                 // 500
        responses.add(handler.handle(new ApiRequest("DELETE", "/api/v1", "/tenants/" + id, null, -1,
                InputStream.nullInputStream())));                                            // 200

        assertThat(responses).extracting(ApiResponse::status)
                .containsExactly(201, 200, 200, 200, 409, 400, 415, 422, 413, 404, 404, 405, 503, 500, 200);
        assertThat(responses).allSatisfy(response ->
                assertThat(response.header("Cache-Control")).as("status %d", response.status()).isEqualTo("no-store"));
    }

    private static ApiRequest post(String json, String contentType) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new ApiRequest("POST", "/api/v1", "/tenants", contentType, bytes.length, body(json));
    }

    private static ApiRequest get(String path) {
        return new ApiRequest("GET", "/api/v1", path, null, -1, InputStream.nullInputStream());
    }
}
