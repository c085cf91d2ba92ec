package io.tenantdb.provisioning.example;

import java.io.PrintStream;

/**
 * The whole runnable example, assembled from a {@link Configuration}: the {@link Backends} (an embedded PostgreSQL
 * when no {@code DATABASE_URL} is given, and the {@link ProvisioningApplication}), the reconciler running on an
 * interval, and the {@link ExampleServer}.
 *
 * <p>Thread-safe; {@link #close()} shuts down in dependency order: HTTP drains first, then the reconciler and the
 * pool close, then the embedded server stops.
 */
public final class ExampleApplication implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ExampleApplication.class.getName());

    private final Backends backends;
    private final ExampleServer server;
    private final boolean tokenFromEnvironment;
    private boolean closed;

    private ExampleApplication(Backends backends, ExampleServer server, boolean tokenFromEnvironment) {
        this.backends = backends;
        this.server = server;
        this.tokenFromEnvironment = tokenFromEnvironment;
    }

    /**
     * Starts everything; on failure, stops what was already started. The HTTP port is bound first, so a port in
     * use fails at once, before any PostgreSQL is started, migrated or reconciled.
     *
     * @throws Exception when any part cannot start (PostgreSQL unreachable, port taken, data directory unwritable)
     */
    public static ExampleApplication start(Configuration configuration) throws Exception {
        ExampleServer server = ExampleServer.bind(configuration.port());
        Backends backends;
        try {
            backends = Backends.open(configuration);
        } catch (Exception | Error e) {
            server.stop();
            throw e;
        }
        try {
            backends.application().startMaintenance(configuration.timeouts().reconcileInterval());
            server.serve(backends.application(), backends.adminToken(),
                    configuration.metricsToken().orElse(backends.adminToken()), configuration.accessLog());
            return new ExampleApplication(backends, server, configuration.adminToken().isPresent());
        } catch (Exception | Error e) {
            try {
                server.stop();
            } catch (Exception stop) {
                e.addSuppressed(stop);
            }
            backends.close();
            throw e;
        }
    }

    /** The HTTP port bound. */
    public int port() {
        return server.port();
    }

    /** The provisioning side. */
    public ProvisioningApplication application() {
        return backends.application();
    }

    /**
     * Prints where to reach the application, and, in the embedded mode only, a {@code curl} to paste. The token
     * is printed only when it was generated into the data directory: an operator who set {@code ADMIN_TOKEN}
     * already has it, and a terminal log is no place to repeat a secret someone supplied.
     */
    public void printBanner(PrintStream out) {
        String url = "http://localhost:" + port();
        out.println("tenantdb provisioning example listening on " + url);
        out.println("  health:  curl -s " + url + "/healthz");
        if (backends.embedded()) {
            out.println("  mode:    embedded PostgreSQL, data in " + backends.dataDirectory().orElseThrow());
            String bearer;
            if (tokenFromEnvironment) {
                out.println("  token:   the ADMIN_TOKEN you set (not shown)");
                bearer = "\"Authorization: Bearer $ADMIN_TOKEN\"";
            } else {
                String token = backends.adminToken();
                out.println("  token:   " + token + "   (kept in " + DataDirectory.ADMIN_TOKEN_FILE + " there)");
                bearer = "'Authorization: Bearer " + token + "'";
            }
            out.println("  try:     curl -s -i -X POST " + url + "/api/v1/tenants"
                    + " -H " + bearer
                    + " -H 'Content-Type: application/json'"
                    + " -d '{\"name\": \"Acme\", \"environment\": \"production\"}'");
        } else {
            out.println("  mode:    external PostgreSQL from DATABASE_URL;"
                    + " /api/v1/* needs ADMIN_TOKEN as bearer token");
        }
        out.flush();
    }

    /** Blocks until the HTTP server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Drains HTTP, then stops the reconciler and closes the pool, then stops the embedded PostgreSQL. Idempotent;
     * a second caller waits until the first has finished.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "HTTP server did not stop cleanly: {0}", e.getClass().getSimpleName());
        }
        backends.close();
    }
}
