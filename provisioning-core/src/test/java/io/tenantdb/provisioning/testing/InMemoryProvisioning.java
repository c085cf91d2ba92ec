package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.TenantProvisioner;

/** The four in-memory fakes wired together, for unit tests of the saga and of adapters. */
public final class InMemoryProvisioning {

    public final InMemoryDatabaseCreator creator = new InMemoryDatabaseCreator();
    public final InMemoryConnectionVerifier verifier = new InMemoryConnectionVerifier(creator);
    public final InMemoryCipherService cipher = new InMemoryCipherService();
    public final InMemoryTenantStore store = new InMemoryTenantStore();

    /** A builder with all four fakes wired; add an initializer or a prefix before {@code build()}. */
    public TenantProvisioner.Builder builder() {
        return TenantProvisioner.builder()
                .databaseCreator(creator)
                .connectionVerifier(verifier)
                .cipherService(cipher)
                .tenantStore(store);
    }

    public TenantProvisioner provisioner() {
        return builder().build();
    }
}
