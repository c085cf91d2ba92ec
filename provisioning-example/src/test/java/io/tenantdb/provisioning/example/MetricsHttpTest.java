package io.tenantdb.provisioning.example;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static io.tenantdb.provisioning.example.ExampleTesting.post;
import static io.tenantdb.provisioning.example.ExampleTesting.send;
import static io.tenantdb.provisioning.example.ExampleTesting.tenantId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} over real sockets, on the example started in-process on the shared test PostgreSQL: the
 * Prometheus text format behind the admin token, or behind {@code METRICS_TOKEN} when it is set, with the
 * provisioning histogram and never a tenant id.
 */
class MetricsHttpTest {

    @Test
    void metricsNeedTheAdminTokenAndShowTheProvisioningHistogramWithoutTenantIds() throws Exception {
        try (InProcessExample example = InProcessExample.start()) {
            HttpResponse<String> created = post(example.base(), example.token(), "Metered", "production");
            assertThat(created.statusCode()).isEqualTo(201);
            String id = tenantId(created);

            HttpResponse<String> anonymous = send("GET", example.base().resolve("metrics"), null, null, null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Bearer"));

            HttpResponse<String> scraped = send("GET", example.base().resolve("metrics"), example.token(), null,
                    null);
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            String body = scraped.body();
            assertThat(body)
                    .contains("tenantdb_provisioning_seconds_bucket{environment=\"production\",error=\"none\","
                            + "outcome=\"succeeded\",le=")
                    .contains("tenantdb_provisioning_seconds_count{environment=\"production\",error=\"none\","
                            + "outcome=\"succeeded\"} 1")
                    .contains("tenantdb_provisioning_seconds_count{environment=\"staging\",error=\"none\","
                            + "outcome=\"succeeded\"} 0")
                    .containsPattern("tenantdb_tenants\\{status=\"active\"} [1-9]")
                    .contains("tenantdb_tenants{status=\"provisioning\"}")
                    .contains("tenantdb_provisioning_step_seconds_count{step=\"create\"} 1")
                    .contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "system_cpu_count")
                    .contains("hikaricp_connections_active{pool=\"tenantdb-control-plane\"}")
                    .contains("jetty_threads_busy");
            assertThat(body).doesNotContain(id).doesNotContain(id.replace('-', '_')).doesNotContain("Metered");
        }
    }

    @Test
    void aMetricsTokenReplacesTheAdminTokenOnMetricsOnly() throws Exception {
        String metricsToken = ExampleTesting.newToken();
        try (InProcessExample example = InProcessExample.start(Map.of("METRICS_TOKEN", metricsToken))) {
            assertThat(send("GET", example.base().resolve("metrics"), metricsToken, null, null).statusCode())
                    .isEqualTo(200);
            assertThat(send("GET", example.base().resolve("metrics"), example.token(), null, null).statusCode())
                    .isEqualTo(401);
            assertThat(send("GET", example.base().resolve("api/v1/tenants/" + java.util.UUID.randomUUID()),
                    metricsToken, null, null).statusCode()).isEqualTo(401);
        }
    }
}
