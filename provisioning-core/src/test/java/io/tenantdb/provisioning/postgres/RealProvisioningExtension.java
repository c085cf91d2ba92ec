package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Resolves {@link RealProvisioning} and {@link TestPostgres} parameters:
 * {@code @ExtendWith(RealProvisioningExtension.class)} over the shared test server, or a static
 * {@code @RegisterExtension} field of {@link #onDedicatedServer} over a server of the test class's own (started at its
 * first use, stopped after the class); then {@code @BeforeEach void setUp(RealProvisioning real)} or a test method
 * parameter. Each test gets one fresh instance (its {@code @BeforeEach}, the test and its {@code @AfterEach} share it),
 * closed after the test through the {@link ExtensionContext.Store}, as Jdbi's {@code JdbiExtension} does.
 * Thread-safe.
 */
final class RealProvisioningExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RealProvisioningExtension.class);

    private final Optional<ServerStarter> dedicated;

    /** Over the shared test server, for {@code @ExtendWith}. */
    RealProvisioningExtension() {
        this.dedicated = Optional.empty();
    }

    private RealProvisioningExtension(ServerStarter starter) {
        this.dedicated = Optional.of(starter);
    }

    /** Over a server of the test class's own, which {@code starter} starts (and prepares) at its first use. */
    static RealProvisioningExtension onDedicatedServer(ServerStarter starter) {
        return new RealProvisioningExtension(starter);
    }

    /** Starts a server for one test class. */
    @FunctionalInterface
    interface ServerStarter {
        DedicatedPostgres start() throws Exception;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == RealProvisioning.class || type == TestPostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        TestPostgres server = server(extensionContext);
        if (parameterContext.getParameter().getType() == TestPostgres.class) {
            return server;
        }
        return extensionContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(RealProvisioning.class, key -> new Closing(open(server)), Closing.class).real;
    }

    private TestPostgres server(ExtensionContext context) {
        if (dedicated.isEmpty()) {
            return TestPostgres.get();
        }
        ExtensionContext testClass = context;
        while (testClass.getTestMethod().isPresent()) {
            testClass = testClass.getParent().orElseThrow();
        }
        return testClass.getStore(NAMESPACE).getOrComputeIfAbsent(DedicatedPostgres.class,
                key -> new Stopping(start(dedicated.get())), Stopping.class).server().server();
    }

    private static DedicatedPostgres start(ServerStarter starter) {
        try {
            return starter.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test class's server", e);
        }
    }

    private static RealProvisioning open(TestPostgres server) {
        try {
            return new RealProvisioning(server);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the test's control plane", e);
        }
    }

    /** Closes a test's instance when its context closes. */
    private record Closing(RealProvisioning real) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            real.close();
        }
    }

    /** Stops a test class's server after its last test. */
    private record Stopping(DedicatedPostgres server) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
