package io.tenantdb.provisioning.pool;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.postgres.FixedCredentialsDataSource;
import io.tenantdb.provisioning.postgres.TenantConnector;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What one tenant's HikariCP pool opens its physical connections with. Each connection takes a permit of the
 * {@link ConnectionBudget} before its socket is opened and gives it back once the server has closed the session.
 * A login refused as if the stored details were stale (28P01 wrong password: rotated, perhaps by another instance;
 * 3D000 no such database: deleted) re-reads the details once and tries again; a tenant that is no longer active is
 * remembered as {@link #gone()}. Thread-safe.
 */
final class BudgetedDataSource extends FixedCredentialsDataSource {

    // The pools' sessions are told apart by their name; the socket factory waits for the server to end a session.
    private static final Map<String, String> POOL_PROPERTIES = Map.of("ApplicationName", "tenantdb-pool",
            "socketFactory", DrainingSocketFactory.class.getName());
    private static final Set<String> STALE_DETAILS = Set.of("28P01", "3D000");
    private static final Set<ErrorCode> NOT_SERVABLE = Set.of(ErrorCode.TENANT_NOT_FOUND, ErrorCode.TENANT_NOT_ACTIVE);

    private final Supplier<ConnectionDetails> reader;
    private final ConnectionBudget budget;
    private final Runnable reclaim;
    private final long permitTimeoutNanos;
    private final TenantConnector connector;
    private final Object refreshLock = new Object();
    private volatile ConnectionDetails details;
    private volatile ProvisioningException gone;

    /**
     * @param initial the details just read, which proved the tenant active
     * @param reader  reads the tenant's current details from the control plane
     * @param reclaim   asked to free an idle connection elsewhere while the budget is exhausted
     * @param connector opens the sessions: its timeouts and CA file, as the provisioner's verifier uses them
     */
    BudgetedDataSource(ConnectionDetails initial, Supplier<ConnectionDetails> reader, ConnectionBudget budget,
                       Runnable reclaim, long permitTimeoutNanos, TenantConnector connector) {
        this.details = initial;
        this.reader = reader;
        this.budget = budget;
        this.reclaim = reclaim;
        this.permitTimeoutNanos = permitTimeoutNanos;
        this.connector = connector;
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            budget.acquire(permitTimeoutNanos, reclaim);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the connection budget", "08001", e);
        }
        try {
            return CloseHook.wrap(login(), budget::release);
        } catch (SQLException | RuntimeException e) {
            budget.release();
            throw e;
        }
    }

    /** Makes the next connection re-read the details first (the credentials were rotated in this process). */
    void invalidate() {
        synchronized (refreshLock) {
            details = null;
        }
    }

    /** Why the tenant can no longer be served, once a re-read found it deleted or unknown. */
    Optional<ProvisioningException> gone() {
        return Optional.ofNullable(gone);
    }

    private Connection login() throws SQLException {
        ConnectionDetails used = current();
        try {
            return open(used);
        } catch (SQLException e) {
            if (!STALE_DETAILS.contains(e.getSQLState())) {
                throw e;
            }
            return open(refreshedAfter(used));
        }
    }

    private ConnectionDetails current() throws SQLException {
        ConnectionDetails known = details;
        return known != null ? known : refreshedAfter(null);
    }

    // One re-read per stale value: threads that failed with the same details share the first one's result.
    private ConnectionDetails refreshedAfter(ConnectionDetails used) throws SQLException {
        synchronized (refreshLock) {
            if (details == null || details == used) {
                try {
                    details = reader.get();
                } catch (ProvisioningException e) {
                    if (NOT_SERVABLE.contains(e.code())) {
                        gone = e;
                    }
                    throw new SQLException("the tenant's connection details could not be read", "08001", e);
                }
            }
            return details;
        }
    }

    private Connection open(ConnectionDetails target) throws SQLException {
        return connector.open(target, POOL_PROPERTIES);
    }
}
