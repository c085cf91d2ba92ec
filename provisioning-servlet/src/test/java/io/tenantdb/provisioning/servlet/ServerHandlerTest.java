package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.testing.CapturedLog;
import io.tenantdb.provisioning.testing.InMemoryConnectionVerifier;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import io.tenantdb.provisioning.testing.InMemoryServerDirectory;
import io.tenantdb.provisioning.testing.InMemoryServerStore;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.tenantdb.provisioning.servlet.HandlerAssertions.assertProblem;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.body;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.errors;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.fieldNames;
import static io.tenantdb.provisioning.servlet.HandlerAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class ServerHandlerTest {

    private static final String SECRET = "hunter2-s3cr3t";
    private static final String URL = "postgresql://admin:" + SECRET + "@db2.internal:6432/postgres";

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final InMemoryServerStore servers = new InMemoryServerStore(fakes.store);
    private final InMemoryServerDirectory directory = new InMemoryServerDirectory();
    private final TenantProvisioner placing = TenantProvisioner.builder().servers(servers, directory)
            .connectionVerifier(new InMemoryConnectionVerifier(directory.creator("default")))
            .cipherService(fakes.cipher).tenantStore(fakes.store).build();
    private final TenantHandler handler = new TenantHandler(placing, Optional.empty(), Optional.empty(),
            Optional.of(new ServerRegistry(servers, directory, fakes.cipher)));

    @Test
    void registersAServerAndListsItWithoutItsAdminUrl() throws Exception {
        ApiResponse created;
        try (CapturedLog log = CapturedLog.of("io.tenantdb")) {
            created = send("POST", "/servers", "{\"name\":\"eu-2\",\"admin_url\":\"" + URL + "\",\"weight\":3,"
                    + "\"max_tenants\":500}");
            assertThat(log.text()).doesNotContain(SECRET);
        }

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/servers/eu-2");
        JsonNode server = json(created);
        assertThat(fieldNames(server)).containsExactly("name", "state", "weight", "max_tenants", "tenants",
                "tenant_host", "tenant_port", "healthy", "unhealthy_until");
        assertThat(server.get("tenant_host").textValue()).isEqualTo("db2.internal");
        assertThat(server.get("tenant_port").intValue()).isEqualTo(6432);
        assertThat(server.get("weight").intValue()).isEqualTo(3);
        assertThat(server.get("max_tenants").intValue()).isEqualTo(500);
        ApiResponse list = send("GET", "/servers", null);
        assertThat(new String(list.body())).doesNotContain(SECRET).doesNotContain("admin");
        assertThat(json(list).get("servers")).extracting(node -> node.get("name").textValue())
                .containsExactly("default", "eu-2");
    }

    @Test
    void refusesBadFieldsWithoutRepeatingTheUrlAndStoresNothing() throws Exception {
        ApiResponse response = send("POST", "/servers", "{\"name\":\"EU_2; DROP\",\"admin_url\":\"mysql://"
                + SECRET + "\",\"tenant_host\":\"a b\",\"tenant_port\":70000,\"max_tenants\":-1,\"weight\":1.5}");

        assertThat(errors(response)).extracting(t -> t.toList().get(0)).containsExactly("name", "admin_url",
                "tenant_host", "tenant_port", "max_tenants", "weight");
        assertThat(new String(response.body())).doesNotContain(SECRET);
        assertThat(errors(send("POST", "/servers", "{\"name\":\"default\",\"admin_url\":\"" + URL + "\"}")))
                .containsExactly(tuple("name", "is the host's own server, registered at start"));
        assertThat(errors(send("POST", "/servers", "{\"name\":\"x\",\"admin_url\":\"postgresql://h/db\"}")))
                .containsExactly(tuple("admin_url", "names no user"));
        assertThat(json(send("GET", "/servers", null)).get("servers")).hasSize(1);
    }

    @Test
    void refusesAServerThatDoesNotAnswerOrWhoseAdminLacksPrivileges() throws Exception {
        directory.unreachableHosts.add("db2.internal");
        ApiResponse unreachable = send("POST", "/servers", "{\"name\":\"eu-2\",\"admin_url\":\"" + URL + "\"}");
        assertProblem(unreachable, 422, "server-unreachable", "Server unreachable");
        assertThat(json(unreachable).get("errors").get(0).get("field").textValue()).isEqualTo("admin_url");

        directory.unreachableHosts.clear();
        directory.unprivilegedUsers.add("admin");
        assertProblem(send("POST", "/servers", "{\"name\":\"eu-2\",\"admin_url\":\"" + URL + "\"}"), 422,
                "server-not-privileged", "Server admin lacks privileges");
        assertThat(json(send("GET", "/servers", null)).get("servers")).hasSize(1);
    }

    @Test
    void drainsAndReactivatesAndRemovesALimit() throws Exception {
        JsonNode drained = json(send("PATCH", "/servers/default", "{\"state\":\"draining\",\"max_tenants\":3}"));
        assertThat(drained.get("state").textValue()).isEqualTo("draining");
        assertThat(drained.get("max_tenants").intValue()).isEqualTo(3);

        JsonNode active = json(send("PATCH", "/servers/default", "{\"state\":\"active\",\"max_tenants\":null}"));
        assertThat(active.get("state").textValue()).isEqualTo("active");
        assertThat(active.get("max_tenants").isNull()).isTrue();
        assertThat(errors(send("PATCH", "/servers/default", "{}"))).extracting(t -> t.toList().get(0))
                .containsExactly("state");
        assertProblem(send("PATCH", "/servers/no-such", "{\"weight\":2}"), 404, "not-found", "Not found");
        assertProblem(send("PATCH", "/servers/BAD%20NAME", "{\"weight\":2}"), 404, "not-found", "Not found");
    }

    @Test
    void aFullRegistryAnswersNoCapacityWithRetryAfterAndTenantsShowTheirServer() throws Exception {
        JsonNode tenant = json(handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json", -1,
                body("{\"name\":\"Acme\",\"environment\":\"production\"}"))));
        assertThat(tenant.get("server").textValue()).isEqualTo("default");

        send("PATCH", "/servers/default", "{\"state\":\"draining\"}");
        ApiResponse full = handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json", -1,
                body("{\"name\":\"Globex\",\"environment\":\"production\"}")));

        assertProblem(full, 503, "no-capacity", "No capacity");
        assertThat(full.header("Retry-After")).isEqualTo("60");
        assertThat(fakes.store.tenants()).hasSize(1);
    }

    @Test
    void withoutARegistryTheServerRoutesAnswer404() throws Exception {
        TenantHandler plain = new TenantHandler(fakes.provisioner());

        assertProblem(plain.handle(new ApiRequest("GET", "/api/v1", "/servers", null, -1, body(""))), 404,
                "not-found", "Not found");
    }

    private ApiResponse send(String method, String path, String json) throws Exception {
        return handler.handle(new ApiRequest(method, "/api/v1", path, json == null ? null : "application/json", -1,
                body(json == null ? "" : json)));
    }
}
