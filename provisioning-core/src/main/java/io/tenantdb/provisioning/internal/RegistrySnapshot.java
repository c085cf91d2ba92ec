package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.spi.ServerStore;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The registry as placement sees it: {@link ServerStore#servers()} as last read, with the tenants this instance
 * has placed since added to their servers' counts, so that one instance keeps spreading by weight between reads.
 * Read again once it is {@link #MAX_AGE} old, once this instance has changed the registry
 * ({@link ServerStore#localChanges()}), and after a server refused a reservation the copy gave it room for
 * (another instance filled or drained it). Limits stay exact: the reservation locks the server's row and counts
 * again. The copy only spares each provisioning a read of every server's count. Thread-safe.
 */
final class RegistrySnapshot {

    /** How long a read serves placements. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final ServerStore store;
    private final LongSupplier nanoTime;
    private List<DatabaseServer> servers;
    private long readAt;
    private long changesAtRead;

    RegistrySnapshot(ServerStore store) {
        this(store, System::nanoTime);
    }

    /** @param nanoTime a monotonic clock in nanoseconds, as {@link System#nanoTime()} */
    RegistrySnapshot(ServerStore store, LongSupplier nanoTime) {
        this.store = store;
        this.nanoTime = nanoTime;
    }

    /** Every server with its count of tenants, as recent as the rules above make it. */
    synchronized List<DatabaseServer> servers() throws SQLException {
        long changes = store.localChanges();
        if (servers == null || changes != changesAtRead || nanoTime.getAsLong() - readAt >= MAX_AGE.toNanos()) {
            // The change count is taken before the read, so a change made during it forces the next read.
            servers = store.servers();
            readAt = nanoTime.getAsLong();
            changesAtRead = changes;
        }
        return servers;
    }

    /** Counts a tenant this instance reserved on {@code server}. */
    synchronized void placed(String server) {
        if (servers != null) {
            servers = servers.stream().map(s -> s.name().equals(server) ? new DatabaseServer(s.name(), s.state(),
                    s.weight(), s.maxTenants(), s.tenantHost(), s.tenantPort(), s.tenants() + 1, s.unhealthyUntil())
                    : s).toList();
        }
    }

    /** Forgets the copy: the next {@link #servers()} reads the registry. */
    synchronized void forget() {
        servers = null;
    }
}
