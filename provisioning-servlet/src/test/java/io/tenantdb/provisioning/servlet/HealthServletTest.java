package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.testing.CapturedLog;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /healthz} in a real Jetty, and what it logs (http-api.md, Logging): one line per 503 at WARNING, with the
 * exception's type and SQLState and never its message, which may name hosts, users or worse.
 */
class HealthServletTest {

    private static final String SECRET = "password=hunter2 host=control-plane.internal";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final AtomicReference<BooleanSupplier> controlPlane = new AtomicReference<>(() -> true);
    private CapturedLog log;
    private LocalJetty server;
    private URI health;

    @BeforeEach
    void start() throws Exception {
        log = CapturedLog.of(HealthServlet.class.getName());
        server = LocalJetty.start(context -> {
            context.addServlet(new ServletHolder(new HealthServlet(() -> controlPlane.get().getAsBoolean())),
                    "/healthz");
        });
        health = server.base().resolve("/healthz");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        log.close();
    }

    @Test
    void aHealthyControlPlaneIs200AndLogsNothing() throws Exception {
        HttpResponse<String> response = get();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"ok\",\"version\":\"" + LibraryVersion.VALUE + "\"}");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(log.records()).isEmpty();
    }

    @Test
    void aFailingCheckIs503AndLogsOneWarningWithTheTypeAndSqlStateButNotTheMessage() throws Exception {
        controlPlane.set(() -> {
            throw new IllegalStateException(SECRET, new SQLException(SECRET, "08001"));
        });

        HttpResponse<String> response = get();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body())
                .isEqualTo("{\"status\":\"unavailable\",\"version\":\"" + LibraryVersion.VALUE + "\"}")
                .doesNotContain("hunter2");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(log.records()).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(record.getThrown()).isNull();
            assertThat(new SimpleFormatter().formatMessage(record))
                    .contains("/healthz answered 503", IllegalStateException.class.getName(), "sqlstate=08001")
                    .doesNotContain("hunter2").doesNotContain("control-plane.internal");
        });
    }

    @Test
    void aCheckThatFailsWithoutSqlStateLogsItsTypeOnly() throws Exception {
        controlPlane.set(() -> {
            throw new UncheckedIOException(new java.io.IOException(SECRET));
        });

        assertThat(get().statusCode()).isEqualTo(503);
        assertThat(log.records()).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(new SimpleFormatter().formatMessage(record))
                    .endsWith("answered 503: " + UncheckedIOException.class.getName());
        });
    }

    @Test
    void aControlPlaneThatDoesNotAnswerIs503AndLogsOneWarning() throws Exception {
        controlPlane.set(() -> false);

        assertThat(get().statusCode()).isEqualTo(503);
        assertThat(log.records()).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(new SimpleFormatter().formatMessage(record)).contains("GET /healthz answered 503");
        });
    }

    private HttpResponse<String> get() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(health).GET().build(), BodyHandlers.ofString());
    }
}
