package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.spi.DatabaseInitializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs the host's SQL scripts from the class path on each new tenant database, as the tenant's own role (it
 * owns the database), all scripts in one transaction. Scripts are read once, at construction. Immutable and
 * thread-safe.
 */
public final class SqlScriptInitializer implements DatabaseInitializer {

    private final TenantConnector connector;
    private final List<String> scripts;

    /**
     * @param connector   opens the connection as the tenant
     * @param classLoader loads the scripts
     * @param resources   class path resource names, run in this order
     * @throws IllegalArgumentException when a resource does not exist
     * @throws UncheckedIOException     when a resource cannot be read
     */
    public SqlScriptInitializer(TenantConnector connector, ClassLoader classLoader, List<String> resources) {
        this.connector = Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(classLoader, "classLoader");
        List<String> loaded = new ArrayList<>();
        for (String resource : resources) {
            loaded.add(read(classLoader, Objects.requireNonNull(resource, "resource")));
        }
        this.scripts = List.copyOf(loaded);
    }

    @Override
    public void initialize(ConnectionDetails details) throws SQLException {
        try (Connection connection = connector.open(details)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String script : scripts) {
                    statement.execute(script);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    static String read(ClassLoader classLoader, String resource) {
        try (InputStream in = classLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no class path resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource + " failed", e);
        }
    }
}
