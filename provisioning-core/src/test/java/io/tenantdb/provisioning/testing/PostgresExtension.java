package io.tenantdb.provisioning.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link TestPostgres} and {@link TestDatabase} parameters of test constructors, lifecycle methods and test
 * methods: {@code @ExtendWith(PostgresExtension.class)}, then {@code @BeforeAll static void setUp(TestPostgres
 * postgres)} or {@code @BeforeEach void setUp(TestDatabase database)}. The server is the one shared by the whole JVM
 * ({@link TestPostgres#get()}); a {@link TestDatabase} is created for each test that asks (its {@code @BeforeEach},
 * the test and its {@code @AfterEach} share it) and dropped after the test's {@code @AfterEach} methods, through the
 * {@link ExtensionContext.Store}. Stateless and thread-safe.
 */
public final class PostgresExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == TestPostgres.class || type == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        TestPostgres server = TestPostgres.get();
        if (parameterContext.getParameter().getType() == TestPostgres.class) {
            return server;
        }
        return extensionContext.getStore(NAMESPACE).getOrComputeIfAbsent(TestDatabase.class,
                key -> new Dropping(new TestDatabase(server, server.createDatabase("test_"))), Dropping.class)
                .database();
    }

    /** Drops a test's database when its context closes. */
    private record Dropping(TestDatabase database) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            database.server().dropDatabase(database.name());
        }
    }
}
