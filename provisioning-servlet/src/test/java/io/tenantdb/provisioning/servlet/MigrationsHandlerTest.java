package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantSchemas;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /migrations} and {@code schema_version}, through the servlet-free handler. */
class MigrationsHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final TenantHandler handler = new TenantHandler(fakes.provisioner(),
            Optional.of(new TenantSchemas(fakes.store, () -> Optional.of("3"))), Optional.empty(), Optional.empty());

    @Test
    void aTenantShowsItsRecordedSchemaVersionOrNull() throws Exception {
        Tenant migrated = provision("Acme");
        Tenant untouched = provision("Globex");
        fakes.store.recordMigrated(migrated.id(), "3");

        assertThat(body("/tenants/" + migrated.id(), null).get("schema_version").textValue()).isEqualTo("3");
        assertThat(body("/tenants/" + untouched.id(), null).get("schema_version").isNull()).isTrue();
    }

    @Test
    void theFleetSummaryCountsPerStateAndVersionAndPagesTheFailedTenants() throws Exception {
        fakes.store.recordMigrated(provision("Current").id(), "3");
        fakes.store.recordMigrated(provision("Behind").id(), "2");
        List<String> failed = new ArrayList<>();
        for (String name : List.of("Broken one", "Broken two", "Broken three")) {
            Tenant tenant = provision(name);
            fakes.store.recordFailure(tenant.id(), "3", "23505");
            failed.add(tenant.id().toString());
        }
        failed.sort(null);

        JsonNode first = body("/migrations", "limit=2");
        JsonNode second = body("/migrations", "limit=2&cursor=" + first.get("next_cursor").textValue());

        assertThat(first.get("target_version").textValue()).isEqualTo("3");
        assertThat(first.get("tenants").toString()).isEqualTo("{\"current\":1,\"pending\":1,\"failed\":3}");
        assertThat(first.get("versions").toString()).isEqualTo(
                "[{\"version\":null,\"tenants\":3},{\"version\":\"2\",\"tenants\":1},"
                        + "{\"version\":\"3\",\"tenants\":1}]");
        assertThat(first.get("failed_tenant_ids").toString())
                .isEqualTo("[\"" + failed.get(0) + "\",\"" + failed.get(1) + "\"]");
        assertThat(second.get("failed_tenant_ids").toString()).isEqualTo("[\"" + failed.get(2) + "\"]");
        assertThat(second.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void aBadLimitOrCursorIs422() throws Exception {
        assertThat(get("/migrations", "limit=1001").status()).isEqualTo(422);
        assertThat(get("/migrations", "cursor=not-a-uuid").status()).isEqualTo(422);
    }

    @Test
    void withoutRecordedVersionsTheRouteIs404AndTenantsShowNoSchemaVersion() throws Exception {
        TenantHandler plain = new TenantHandler(fakes.provisioner());
        Tenant tenant = provision("Acme");

        ApiResponse migrations = plain.handle(request("/migrations", null));
        JsonNode view = JSON.readTree(plain.handle(request("/tenants/" + tenant.id(), null)).body());

        assertThat(migrations.status()).isEqualTo(404);
        assertThat(view.has("schema_version")).isFalse();
    }

    private Tenant provision(String name) {
        return fakes.provisioner().provision(new TenantRequest(name, Environment.PRODUCTION));
    }

    private JsonNode body(String path, String query) throws Exception {
        ApiResponse response = get(path, query);
        assertThat(response.status()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private ApiResponse get(String path, String query) throws Exception {
        return handler.handle(request(path, query));
    }

    private static ApiRequest request(String path, String query) {
        return new ApiRequest("GET", "/api/v1", path, query, null, -1, InputStream.nullInputStream(), null);
    }
}
