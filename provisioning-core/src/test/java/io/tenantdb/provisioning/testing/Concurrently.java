package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Provisions many tenants at once for a test's set-up. */
public final class Concurrently {

    private Concurrently() {
    }

    /**
     * Provisions {@code count} production tenants on {@code threads} threads, the i-th named {@code name.apply(i)}.
     *
     * @return the tenants in the order of their names
     * @throws Exception the first provisioning's failure
     */
    public static List<Tenant> provision(TenantProvisioner provisioner, int count, int threads,
                                         IntFunction<String> name) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Tenant>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                TenantRequest request = new TenantRequest(name.apply(i), Environment.PRODUCTION);
                futures.add(pool.submit(() -> provisioner.provision(request)));
            }
            List<Tenant> tenants = new ArrayList<>();
            for (Future<Tenant> future : futures) {
                tenants.add(future.get());
            }
            return tenants;
        } finally {
            pool.shutdownNow();
        }
    }
}
