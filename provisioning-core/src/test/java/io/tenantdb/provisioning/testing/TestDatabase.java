package io.tenantdb.provisioning.testing;

import javax.sql.DataSource;
import java.util.Objects;

/**
 * An empty database of one test's own on the shared server, which {@link PostgresExtension} creates for a test that
 * asks for it and drops after the test.
 *
 * @param server the server holding it
 * @param name   its name
 */
public record TestDatabase(TestPostgres server, String name) {

    /** @throws NullPointerException when a component is null */
    public TestDatabase {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(name, "name");
    }

    /** Admin connections to this database, unpooled. */
    public DataSource dataSource() {
        return server.dataSource(name);
    }
}
