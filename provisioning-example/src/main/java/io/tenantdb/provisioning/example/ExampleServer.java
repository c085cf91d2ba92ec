package io.tenantdb.provisioning.example;

import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The example's HTTP server: Jetty 12 serving the {@link ApiRoutes} (Jetty's thread pool and connection meters go to
 * the application's registry). {@link #bind} takes the port first;
 * {@link #serve} starts answering once the application is ready. On {@link #stop()} it stops accepting, answers new
 * requests on open connections with 503, and waits up to {@link #DRAIN_TIMEOUT} for requests in flight, so a
 * provisioning in progress finishes or compensates before the pools behind it close.
 *
 * <p>Thread-safe: bind once, serve once, stop once.
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
     * Binds the port and nothing else, so a port in use fails before any database work; requests that arrive
     * before {@link #serve} wait in the socket's backlog.
     *
     * @param port TCP port, 0 for any free one
     * @throws Exception when the port cannot be bound, for instance because it is taken
     */
    public static ExampleServer bind(int port) throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(port);
        server.addConnector(connector);
        try {
            connector.open();
        } catch (Exception e) {
            connector.close();
            throw e;
        }
        return new ExampleServer(server, connector);
    }

    /**
     * Starts serving on a free port or the given one, without an access log (the benchmark's server).
     *
     * @param application the provisioning side
     * @param adminToken  the bearer token of {@code /api/v1/*}
     * @param port        TCP port, 0 for any free one
     * @throws Exception when Jetty cannot start, for instance because the port is taken
     */
    public static ExampleServer start(ProvisioningApplication application, String adminToken, int port)
            throws Exception {
        ExampleServer server = bind(port);
        server.serve(application, adminToken, adminToken, false);
        return server;
    }

    /**
     * Starts answering on the bound port.
     *
     * @param application the provisioning side
     * @param adminToken   the bearer token of {@code /api/v1/*}
     * @param metricsToken the bearer token of {@code /metrics}
     * @param accessLog    whether each request is logged on {@code tenantdb.access}
     * @throws Exception when Jetty cannot start
     */
    public void serve(ProvisioningApplication application, String adminToken, String metricsToken,
                      boolean accessLog) throws Exception {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(metricsToken, "metricsToken");
        Objects.requireNonNull(adminToken, "adminToken");
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServletContainerInitializer((classes, servletContext) ->
                ApiRoutes.register(servletContext, application, adminToken, metricsToken, accessLog));
        new JettyServerThreadPoolMetrics(server.getThreadPool(), List.of()).bindTo(application.metrics());
        JettyConnectionMetrics.addToAllConnectors(server, application.metrics());

        // Errors Jetty answers itself (unknown paths, unparsable URIs) speak problem+json like the API.
        ProblemErrorHandler errors = new ProblemErrorHandler();
        context.setErrorHandler(errors);
        server.setErrorHandler(errors);
        server.setHandler(new GracefulHandler(context));
        server.setStopTimeout(DRAIN_TIMEOUT.toMillis());
        server.setStopAtShutdown(false);
        server.start();
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
        if (server.isStarted() || server.isStarting()) {
            server.stop();
        } else {
            connector.close();
        }
    }
}
