package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.TestPostgres;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

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
        return start(Map.of());
    }

    /** Started with these variables on top of the test environment. */
    static InProcessExample start(Map<String, String> extra) throws Exception {
        TestPostgres postgres = TestPostgres.get();
        String controlDatabase = postgres.createDatabase("example_control_");
        String token = ExampleTesting.newToken();
        Map<String, String> environment = new HashMap<>(
                ExampleTesting.environment(postgres, controlDatabase, ExampleTesting.newKey(), token));
        environment.putAll(extra);
        ExampleApplication app = ExampleApplication.start(Configuration.from(environment));
        return new InProcessExample(postgres, controlDatabase, app, token,
                URI.create("http://localhost:" + app.port() + "/"));
    }

    @Override
    public void close() throws Exception {
        app.close();
        ExampleTesting.dropAll(postgres, controlDatabase);
    }
}
