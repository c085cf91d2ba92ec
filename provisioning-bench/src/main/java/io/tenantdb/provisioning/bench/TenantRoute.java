package io.tenantdb.provisioning.bench;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One way for a host to reach a tenant's database, measured side by side by {@link PoolBench}. Called from many
 * threads at once.
 */
interface TenantRoute extends AutoCloseable {

    /** The one-letter key used in the report: a, b or c. */
    String key();

    /** What is measured, for the report. */
    String description();

    /** {@code application_name} of the sessions this route opens, so they can be counted apart. */
    String applicationName();

    /**
     * A connection to the tenant's own database; the caller closes it.
     *
     * @throws SQLException when none can be had
     */
    Connection connect(Provisioned tenant) throws SQLException;

    /** Called after each of this route's segments, before the next route runs. */
    default void endSegment() {
    }

    @Override
    void close();
}
