package io.tenantdb.provisioning.testing;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Armed failures for the in-memory fakes: {@code faults.arm("create", new SQLException(...))} makes the next
 * call of that operation throw. Each armed failure fires once. Thread-safe.
 */
public final class Faults {

    private final Map<String, Exception> armed = new ConcurrentHashMap<>();

    /** Makes the next call of {@code operation} throw {@code failure} (an SQLException or a RuntimeException). */
    public Faults arm(String operation, Exception failure) {
        armed.put(operation, failure);
        return this;
    }

    /** Throws the failure armed for {@code operation}, if any, and disarms it. */
    public void check(String operation) throws SQLException {
        Exception failure = armed.remove(operation);
        if (failure instanceof SQLException sql) {
            throw sql;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure != null) {
            throw new IllegalStateException("arm an SQLException or a RuntimeException", failure);
        }
    }
}
