package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * The background population of the cost-growth runs: tenants provisioned by the application under test, each
 * with its database, owner role and control-plane rows. Grows on demand, removed by {@link #removeAll}.
 * Not thread-safe (it uses threads of its own inside {@link #growTo}).
 */
final class ExistingTenants {

    private static final int THREADS = 2;

    private final TenantProvisioner provisioner;
    private final List<Provisioned> created = Collections.synchronizedList(new ArrayList<>());

    ExistingTenants(TenantProvisioner provisioner) {
        this.provisioner = provisioner;
    }

    /** How many exist now. */
    int count() {
        return created.size();
    }

    /** The tenants created so far, in creation order. */
    List<Provisioned> tenants() {
        synchronized (created) {
            return List.copyOf(created);
        }
    }

    /**
     * Creates tenants until {@code total} exist, two at a time.
     *
     * @param progress called with the running count every 100 tenants
     */
    void growTo(int total, IntConsumer progress) throws Exception {
        Parallel.run(total - created.size(), THREADS, i -> () -> {
            created.add(createOne());
            if (created.size() % 100 == 0) {
                progress.accept(created.size());
            }
            return null;
        });
    }

    /** Removes every tenant created here. */
    void removeAll(TenantCleaner cleaner) throws SQLException {
        synchronized (created) {
            cleaner.remove(created);
            created.clear();
        }
    }

    private Provisioned createOne() {
        Tenant tenant = provisioner.provision(new TenantRequest(
                Workload.TENANT_NAME_PREFIX + "existing-" + UUID.randomUUID(), Environment.PRODUCTION));
        return new Provisioned(tenant.id(), tenant.databaseName(), false);
    }
}
