package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.crypto.EncryptionKey;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole runnable example, assembled from a {@link Configuration}: an embedded PostgreSQL when no
 * {@code DATABASE_URL} is given (with its key and token kept in the data directory), the
 * {@link ProvisioningApplication} and the {@link ExampleServer}.
 *
 * <p>Thread-safe; {@link #close()} shuts down in dependency order: HTTP drains first, then the pool closes, then
 * the embedded server stops.
 */
public final class ExampleApplication implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ExampleApplication.class.getName());

    private final Optional<EmbeddedDatabase> embedded;
    private final ProvisioningApplication application;
    private final ExampleServer server;
    private final String adminToken;
    private final Optional<Path> dataDirectory;

    private ExampleApplication(Optional<EmbeddedDatabase> embedded, ProvisioningApplication application,
                               ExampleServer server, String adminToken, Optional<Path> dataDirectory) {
        this.embedded = embedded;
        this.application = application;
        this.server = server;
        this.adminToken = adminToken;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts everything; on failure, stops what was already started.
     *
     * @throws Exception when any part cannot start (PostgreSQL unreachable, port taken, data directory unwritable)
     */
    public static ExampleApplication start(Configuration configuration) throws Exception {
        Objects.requireNonNull(configuration, "configuration");
        Optional<EmbeddedDatabase> embedded = Optional.empty();
        ProvisioningApplication application = null;
        try {
            Configuration.Database admin;
            EncryptionKey key;
            String token;
            Optional<Path> dataDirectory = Optional.empty();
            if (configuration.embedded()) {
                DataDirectory directory = DataDirectory.open(configuration.dataDirectory());
                dataDirectory = Optional.of(directory.root());
                key = configuration.encryptionKey().isPresent() ? configuration.encryptionKey().get()
                        : EncryptionKey.fromBase64(directory.valueOf(DataDirectory.ENCRYPTION_KEY_FILE, directory::randomKey));
                token = configuration.adminToken().isPresent() ? configuration.adminToken().get()
                        : directory.valueOf(DataDirectory.ADMIN_TOKEN_FILE, () -> directory.randomSecret(32));
                LOG.log(System.Logger.Level.INFO, "starting the embedded PostgreSQL in {0}", directory.pgdata());
                embedded = Optional.of(EmbeddedDatabase.start(directory));
                admin = embedded.get().admin();
            } else {
                admin = configuration.database().orElseThrow();
                key = configuration.encryptionKey().orElseThrow();
                token = configuration.adminToken().orElseThrow();
            }
            application = ProvisioningApplication.start(admin,
                    configuration.tenantDbHost().orElse(admin.host()),
                    configuration.tenantDbPort().orElse(admin.port()),
                    key, configuration.previousKeys());
            ExampleServer server = ExampleServer.start(application, token, configuration.port());
            return new ExampleApplication(embedded, application, server, token, dataDirectory);
        } catch (Exception | Error e) {
            closeBackends(application, embedded, e);
            throw e;
        }
    }

    /** The HTTP port bound. */
    public int port() {
        return server.port();
    }

    /** The bearer token {@code /api/v1/*} expects. */
    public String adminToken() {
        return adminToken;
    }

    /** The provisioning side. */
    public ProvisioningApplication application() {
        return application;
    }

    /** True when running on the embedded PostgreSQL. */
    public boolean embedded() {
        return embedded.isPresent();
    }

    /** The embedded mode's data directory, or empty with {@code DATABASE_URL}. */
    public Optional<Path> dataDirectory() {
        return dataDirectory;
    }

    /**
     * Prints where to reach the application, and, in the embedded mode only, the token and a {@code curl} to
     * paste: an operator who set {@code ADMIN_TOKEN} already has it, and a terminal log is no place to repeat it.
     */
    public void printBanner(PrintStream out) {
        String url = "http://localhost:" + port();
        out.println("tenantdb provisioning example listening on " + url);
        out.println("  health:  curl -s " + url + "/healthz");
        if (embedded()) {
            out.println("  mode:    embedded PostgreSQL, data in " + dataDirectory.orElseThrow());
            out.println("  token:   " + adminToken + "   (kept in " + DataDirectory.ADMIN_TOKEN_FILE + " there)");
            out.println("  try:     curl -s -i -X POST " + url + "/api/v1/tenants"
                    + " -H 'Authorization: Bearer " + adminToken + "'"
                    + " -H 'Content-Type: application/json'"
                    + " -d '{\"name\": \"Acme\", \"environment\": \"production\"}'");
        } else {
            out.println("  mode:    external PostgreSQL from DATABASE_URL; /api/v1/* needs ADMIN_TOKEN as bearer token");
        }
        out.flush();
    }

    /** Blocks until the HTTP server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Drains HTTP, then closes the pool, then stops the embedded PostgreSQL. Idempotent. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "HTTP server did not stop cleanly: {0}", e.getClass().getSimpleName());
        }
        closeBackends(application, embedded, null);
    }

    private static void closeBackends(ProvisioningApplication application, Optional<EmbeddedDatabase> embedded,
                                      Throwable startFailure) {
        if (application != null) {
            application.close();
        }
        if (embedded.isPresent()) {
            try {
                embedded.get().close();
            } catch (IOException | RuntimeException e) {
                if (startFailure != null) {
                    startFailure.addSuppressed(e);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "embedded PostgreSQL did not stop cleanly: {0}",
                            e.getClass().getSimpleName());
                }
            }
        }
    }
}
