package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.TestPostgres;

import java.net.URI;

/**
 * The example application started in-process on a fresh control database of the shared test server, listening on
 * a free port. {@link #close()} stops it and drops every tenant it recorded and the control database.
 *
 * @param postgres        the test server
 * @param controlDatabase the control plane of this instance
 * @param app             the running application
 * @param token           its bearer token
 * @param base            {@code http://localhost:PORT/}
 */
record InProcessExample(TestPostgres postgres, String controlDatabase, ExampleApplication app, String token,
                        URI base) implements AutoCloseable {

    static InProcessExample start() throws Exception {
        TestPostgres postgres = TestPostgres.get();
        String controlDatabase = postgres.createDatabase("example_control_");
        String token = ExampleTesting.newToken();
        ExampleApplication app = ExampleApplication.start(Configuration.from(
                ExampleTesting.environment(postgres, controlDatabase, ExampleTesting.newKey(), token)));
        return new InProcessExample(postgres, controlDatabase, app, token,
                URI.create("http://localhost:" + app.port() + "/"));
    }

    @Override
    public void close() throws Exception {
        app.close();
        ExampleTesting.dropAll(postgres, controlDatabase);
    }
}
