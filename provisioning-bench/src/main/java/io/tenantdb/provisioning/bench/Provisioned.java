package io.tenantdb.provisioning.bench;

import java.util.Objects;
import java.util.UUID;

/**
 * What one measured provisioning left behind, so the bench can remove it: the tenant id and the database, whose
 * owner role has the same name.
 *
 * @param tenantId     the tenant: of the application's control plane, or of the floor's own table
 * @param databaseName the database and its role
 * @param floor        true for a tenant the floor made by hand, whose row is in the bench's own schema; false for
 *                     one of the application, removed by deprovisioning it
 */
record Provisioned(UUID tenantId, String databaseName, boolean floor) {

    Provisioned {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(databaseName, "databaseName");
    }
}
