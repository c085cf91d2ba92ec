package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.servlet.BearerTokenFilter;
import io.tenantdb.provisioning.servlet.HealthServlet;
import io.tenantdb.provisioning.servlet.TenantServlet;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;

/**
 * The example's HTTP server: Jetty 12 serving {@link TenantServlet} behind {@link BearerTokenFilter} on
 * {@code /api/v1/*} and {@link HealthServlet} on {@code /healthz}. On {@link #stop()} it stops accepting, answers
 * new requests on open connections with 503, and waits up to {@link #DRAIN_TIMEOUT} for requests in flight, so
 * a provisioning in progress finishes or compensates before the pools behind it close.
 *
 * <p>Thread-safe: start once, stop once.
 */
public final class ExampleServer {

    /** How long {@link #stop()} waits for requests in flight. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final Server server;
    private final ServerConnector connector;

    private ExampleServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts serving.
     *
     * @param application the provisioning side
     * @param adminToken  the bearer token of {@code /api/v1/*}
     * @param port        TCP port, 0 for any free one
     * @throws Exception when Jetty cannot start, for instance because the port is taken
     */
    public static ExampleServer start(ProvisioningApplication application, String adminToken, int port)
            throws Exception {
        Objects.requireNonNull(application, "application");
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new BearerTokenFilter(adminToken)), "/api/v1/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder("tenants", new TenantServlet(application.provisioner())), "/api/v1/*");
        context.addServlet(new ServletHolder("health", new HealthServlet(application::controlPlaneAnswers)),
                "/healthz");

        // Errors Jetty answers itself (unknown paths, unparsable URIs) speak problem+json like the API.
        ProblemErrorHandler errors = new ProblemErrorHandler();
        context.setErrorHandler(errors);
        server.setErrorHandler(errors);
        server.setHandler(new GracefulHandler(context));
        server.setStopTimeout(DRAIN_TIMEOUT.toMillis());
        server.setStopAtShutdown(false);
        server.start();
        return new ExampleServer(server, connector);
    }

    /** The port actually bound. */
    public int port() {
        return connector.getLocalPort();
    }

    /** Blocks until the server has stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Drains requests in flight (up to {@link #DRAIN_TIMEOUT}) and stops.
     *
     * @throws Exception when Jetty fails to stop
     */
    public void stop() throws Exception {
        server.stop();
    }
}
