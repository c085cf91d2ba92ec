package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.ServerStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** When placement's copy of the registry is read again, and what it counts in between. */
class RegistrySnapshotTest {

    private final CountingStore store = new CountingStore();
    private final AtomicLong nanos = new AtomicLong();
    private final RegistrySnapshot snapshot = new RegistrySnapshot(store, nanos::get);

    @Test
    void oneReadServesPlacementsUntilThisInstanceChangesTheRegistry() throws Exception {
        snapshot.servers();
        snapshot.servers();
        assertThat(store.reads).isEqualTo(1);

        store.localChanges++;
        snapshot.servers();

        assertThat(store.reads).isEqualTo(2);
    }

    @Test
    void aForgottenCopyIsReadAgain() throws Exception {
        snapshot.servers();
        snapshot.forget();
        snapshot.servers();

        assertThat(store.reads).isEqualTo(2);
    }

    @Test
    void tenantsPlacedHereAreCountedUntilTheNextRead() throws Exception {
        snapshot.servers();
        snapshot.placed("second");
        snapshot.placed("second");

        assertThat(snapshot.servers()).extracting(DatabaseServer::tenants).containsExactly(3, 7);
        assertThat(store.reads).isEqualTo(1);
    }

    @Test
    void aCopyOlderThanItsAgeIsReadAgain() throws Exception {
        snapshot.servers();
        nanos.addAndGet(RegistrySnapshot.MAX_AGE.toNanos() - 1);
        snapshot.servers();
        assertThat(store.reads).isEqualTo(1);

        nanos.incrementAndGet();
        snapshot.servers();

        assertThat(store.reads).isEqualTo(2);
    }

    /** Two servers, 3 and 5 tenants; counts its reads. Only what the snapshot calls is implemented. */
    private static final class CountingStore implements ServerStore {
        int reads;
        long localChanges;

        @Override
        public List<DatabaseServer> servers() {
            reads++;
            return List.of(server("default", 3), server("second", 5));
        }

        @Override
        public long localChanges() {
            return localChanges;
        }

        private static DatabaseServer server(String name, int tenants) {
            return new DatabaseServer(name, ServerState.ACTIVE, 1, Optional.empty(), Optional.empty(),
                    Optional.empty(), tenants, Optional.empty());
        }

        @Override
        public Optional<StoredServer> find(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean register(StoredServer server) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void registerDefault(String tenantHost, int tenantPort) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean change(String name, ServerChange change) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean replaceSecret(String name, String expected, SealedValue replacement) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean moveTenant(UUID tenantId, String from, String expectedSecret, String to,
                                  SealedValue resealed) {
            throw new UnsupportedOperationException();
        }
    }
}
