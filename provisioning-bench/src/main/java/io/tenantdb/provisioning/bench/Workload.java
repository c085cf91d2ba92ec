package io.tenantdb.provisioning.bench;

/**
 * One way of provisioning a tenant, measured side by side with the others. A workload opens whatever each worker
 * keeps (connections, clients) in {@link #open(int)}, before timing starts, so that only provisioning is timed.
 *
 * <p>{@link #provision(int)} is called concurrently, each worker index from one thread at a time.
 */
interface Workload extends AutoCloseable {

    /** Control-plane names of every bench tenant start with this, so a sweep can find leftovers. */
    String TENANT_NAME_PREFIX = "tenantdb-bench-";

    /** The one-letter key used in the report: a, b or c. */
    String key();

    /** What is measured, for the report. */
    String description();

    /**
     * Brings shared state where this workload's next round needs it (e.g. a warm pool filled or emptied), before
     * the round's timed span; by default nothing.
     */
    default void beforeRound(int concurrency) throws Exception {
    }

    /** Prepares {@code workers} workers; closes what an earlier call prepared. */
    void open(int workers) throws Exception;

    /**
     * Provisions one tenant on behalf of {@code worker}.
     *
     * @return what to remove afterwards
     * @throws Exception when provisioning fails; the bench stops then
     */
    Provisioned provision(int worker) throws Exception;

    /** Releases what {@link #open(int)} prepared. */
    @Override
    void close() throws Exception;
}
