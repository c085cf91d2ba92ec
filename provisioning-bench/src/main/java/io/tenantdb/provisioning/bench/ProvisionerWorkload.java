package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;

import java.util.UUID;

/** (b) {@link TenantProvisioner#provision} of the running application, in-process. Thread-safe. */
final class ProvisionerWorkload implements Workload {

    private final TenantProvisioner provisioner;

    ProvisionerWorkload(TenantProvisioner provisioner) {
        this.provisioner = provisioner;
    }

    @Override
    public String key() {
        return "b";
    }

    @Override
    public String description() {
        return "TenantProvisioner.provision in-process (the application's pool and wiring)";
    }

    @Override
    public void open(int workers) {
        // Nothing per worker: the provisioner draws on the application's own pool, as in production.
    }

    @Override
    public Provisioned provision(int worker) {
        Tenant tenant = provisioner.provision(new TenantRequest(TENANT_NAME_PREFIX + "inproc-" + UUID.randomUUID(),
                Environment.PRODUCTION));
        return new Provisioned(tenant.id(), tenant.databaseName(), false);
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
