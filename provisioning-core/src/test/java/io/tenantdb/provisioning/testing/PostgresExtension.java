package io.tenantdb.provisioning.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link TestPostgres} parameters of test constructors, lifecycle methods and test methods:
 * {@code @ExtendWith(PostgresExtension.class)}, then {@code @BeforeAll static void setUp(TestPostgres postgres)}.
 * The server is the one shared by the whole JVM ({@link TestPostgres#get()}). Stateless and thread-safe.
 */
public final class PostgresExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestPostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return TestPostgres.get();
    }
}
