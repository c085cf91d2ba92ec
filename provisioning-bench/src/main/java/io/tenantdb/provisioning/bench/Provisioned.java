package io.tenantdb.provisioning.bench;

import java.util.Objects;
import java.util.UUID;

/**
 * What one measured provisioning left behind, so the bench can remove it: the control-plane tenant id and the
 * database, whose owner role has the same name.
 *
 * @param tenantId     the control-plane row
 * @param databaseName the database and its role
 */
record Provisioned(UUID tenantId, String databaseName) {

    Provisioned {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(databaseName, "databaseName");
    }
}
