package io.tenantdb.provisioning.postgres;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Connections of a real {@link DataSource} that record the text of every statement sent through them, in order,
 * and may run a hook just before a statement is prepared or executed: what a test needs to see the SQL that reached
 * the server, or to make something happen between two queries. Thread-safe.
 */
final class RecordingDataSource {

    private final List<String> statements = new ArrayList<>();
    private volatile Consumer<String> beforeEach = sql -> { };

    /** Runs {@code hook} with each statement's text before the statement reaches the server. */
    RecordingDataSource beforeEach(Consumer<String> hook) {
        this.beforeEach = hook;
        return this;
    }

    /** Every statement text so far, in the order sent. */
    synchronized List<String> statements() {
        return List.copyOf(statements);
    }

    DataSource wrap(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, arguments) -> {
                    Object result = invoke(real, method, arguments);
                    return result instanceof Connection connection ? connection(connection) : result;
                });
    }

    private Connection connection(Connection real) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, arguments) -> {
                    if (method.getName().startsWith("prepare")
                            && arguments != null && arguments[0] instanceof String sql) {
                        sent(sql);
                    }
                    Object result = invoke(real, method, arguments);
                    if (result instanceof Statement statement && !(result instanceof java.sql.PreparedStatement)) {
                        return statement(statement);
                    }
                    return result;
                });
    }

    private Statement statement(Statement real) {
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {Statement.class},
                (proxy, method, arguments) -> {
                    if ((method.getName().startsWith("execute") || method.getName().equals("addBatch"))
                            && arguments != null && arguments.length > 0 && arguments[0] instanceof String sql) {
                        sent(sql);
                    }
                    return invoke(real, method, arguments);
                });
    }

    private void sent(String sql) {
        synchronized (this) {
            statements.add(sql);
        }
        beforeEach.accept(sql);
    }

    private static Object invoke(Object target, Method method, Object[] arguments) throws Throwable {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
