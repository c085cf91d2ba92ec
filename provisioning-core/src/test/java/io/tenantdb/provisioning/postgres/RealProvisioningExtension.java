package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.sql.SQLException;

/**
 * Resolves {@link RealProvisioning} and {@link TestPostgres} parameters:
 * {@code @ExtendWith(RealProvisioningExtension.class)}, then {@code @BeforeEach void setUp(RealProvisioning real)} or a
 * test method parameter. Each test gets one fresh instance (its {@code @BeforeEach}, the test and its
 * {@code @AfterEach} share it), closed after the test through the {@link ExtensionContext.Store}, as Jdbi's
 * {@code JdbiExtension} does. Stateless and thread-safe.
 */
final class RealProvisioningExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RealProvisioningExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == RealProvisioning.class || type == TestPostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (parameterContext.getParameter().getType() == TestPostgres.class) {
            return TestPostgres.get();
        }
        return extensionContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(RealProvisioning.class, key -> new Closing(open()), Closing.class).real;
    }

    private static RealProvisioning open() {
        try {
            return new RealProvisioning(TestPostgres.get());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the test's control plane", e);
        }
    }

    /** Closes the instance when its test's context closes. */
    private record Closing(RealProvisioning real) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Throwable {
            real.close();
        }
    }
}
