package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The access log in front of the real servlets and filter, in a real Jetty over sockets. */
class AccessLogFilterTest {

    private static final String TOKEN = "access-log-token-0123456789";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // The line is written when the filter returns, which may be just after the client has read the response.
    private final BlockingQueue<String> logged = new LinkedBlockingQueue<>();
    private LocalJetty server;
    private URI base;

    @BeforeEach
    void startJetty() throws Exception {
        server = LocalJetty.start(context -> {
            context.addFilter(new FilterHolder(new AccessLogFilter(logged::add)), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            context.addFilter(new FilterHolder(new BearerTokenFilter(TOKEN)), "/api/v1/*",
                    EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new TenantServlet(new InMemoryProvisioning().provisioner())),
                    "/api/v1/*");
            context.addServlet(new ServletHolder(new HealthServlet(() -> true)), "/healthz");
        });
        base = server.base();
    }

    @AfterEach
    void stopJetty() throws Exception {
        server.close();
    }

    @Test
    void logsMethodPathWithoutQueryStatusAndDurationButNeverTheToken() throws Exception {
        send(HttpRequest.newBuilder(base.resolve("/api/v1/tenants?limit=5&secret=query-value"))
                .header("Authorization", "Bearer " + TOKEN).GET());
        String listed = next();
        send(HttpRequest.newBuilder(base.resolve("/api/v1/tenants")).header("Authorization", "Bearer wrong-token-x")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        String refused = next();
        send(HttpRequest.newBuilder(base.resolve("/healthz")).GET());
        List<String> lines = List.of(listed, refused, next());

        assertThat(lines.get(0)).matches("method=GET path=/api/v1/tenants status=200 duration_ms=\\d+");
        assertThat(lines.get(1)).matches("method=POST path=/api/v1/tenants status=401 duration_ms=\\d+");
        assertThat(lines.get(2)).matches("method=GET path=/healthz status=200 duration_ms=\\d+");
        assertThat(String.join("\n", lines)).doesNotContain(TOKEN, "wrong-token", "query-value", "limit");
        assertThat(logged).isEmpty();
    }

    @Test
    void aControlCharacterOrAnEndlessPathCannotForgeOrFloodALine() {
        String line = AccessLogFilter.line("GET", "/a\r\nmethod=GET path=/forged" + "x".repeat(1000), 404, 2_000_000);

        assertThat(line).doesNotContain("\r", "\n").startsWith("method=GET path=/a??method=GET")
                .endsWith("… status=404 duration_ms=2");
        assertThat(line.length()).isLessThan(AccessLogFilter.MAX_PATH_LENGTH + 60);
    }

    // The bound only keeps a broken filter from hanging the build.
    private String next() throws InterruptedException {
        String line = logged.poll(30, TimeUnit.SECONDS);
        assertThat(line).as("an access log line").isNotNull();
        return line;
    }

    private static void send(HttpRequest.Builder request) throws Exception {
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
