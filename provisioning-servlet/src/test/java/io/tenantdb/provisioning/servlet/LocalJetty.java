package io.tenantdb.provisioning.servlet;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.net.URI;
import java.util.function.Consumer;

/**
 * A real Jetty on a free loopback port for the servlet tests: the caller mounts its servlets and filters on the root
 * context, {@link #base()} is {@code http://127.0.0.1:<port>}, {@link #close()} stops it.
 */
final class LocalJetty implements AutoCloseable {

    private final Server server;
    private final URI base;

    private LocalJetty(Server server, URI base) {
        this.server = server;
        this.base = base;
    }

    /** Starts a server whose root context {@code mount} has filled. */
    static LocalJetty start(Consumer<ServletContextHandler> mount) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        mount.accept(context);
        server.setHandler(context);
        server.start();
        return new LocalJetty(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    URI base() {
        return base;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
