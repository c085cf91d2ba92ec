package io.tenantdb.provisioning.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An embedded PostgreSQL of a test's own, for a server configuration the shared {@link TestPostgres} must not have
 * (a few connection slots, TLS only). Its {@code pg_hba.conf} trusts the superuser {@code postgres} from the loopback
 * addresses, with or without TLS, and then holds the test's lines for every other role. {@link #close()} stops it.
 * Thread-safe once started.
 */
public final class DedicatedPostgres implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final TestPostgres server;

    private DedicatedPostgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.server = new TestPostgres("dedicated", "localhost", postgres.getPort(), "postgres", "postgres",
                "postgres");
    }

    /**
     * Starts a server on a free port.
     *
     * @param serverConfig settings passed as {@code -c name=value}, e.g. {@code max_connections}
     * @param hbaLines     {@code pg_hba.conf} lines for roles other than {@code postgres}, in order
     * @throws UncheckedIOException when the server does not start
     */
    public static DedicatedPostgres start(Map<String, String> serverConfig, List<String> hbaLines) {
        Objects.requireNonNull(serverConfig, "serverConfig");
        List<String> hba = new ArrayList<>(List.of(
                "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust"));
        hba.addAll(hbaLines);
        hba.add("");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPGStartupWait(TestPostgres.STARTUP_WAIT)
                .setDataDirectoryCustomizer(directory -> {
                    try {
                        Files.writeString(directory.toPath().resolve("pg_hba.conf"), String.join("\n", hba));
                    } catch (IOException e) {
                        throw new UncheckedIOException("writing pg_hba.conf failed", e);
                    }
                });
        serverConfig.forEach(builder::setServerConfig);
        try {
            return new DedicatedPostgres(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("starting a dedicated embedded PostgreSQL failed", e);
        }
    }

    /** The server, with the superuser {@code postgres} as its admin. */
    public TestPostgres server() {
        return server;
    }

    /** Stops the server and removes its data directory. */
    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
