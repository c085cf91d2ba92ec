package io.tenantdb.provisioning;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A tenant as the control plane knows it. Holds no secret, so it is safe to log and to return to callers.
 *
 * @param id           the tenant id, a random UUID
 * @param name         the display name given at creation
 * @param environment  the environment given at creation
 * @param status       the lifecycle state
 * @param databaseName the tenant's own database, {@code car_<id with underscores>} by default
 * @param createdAt    when provisioning began
 */
public record Tenant(UUID id, String name, Environment environment, TenantStatus status, String databaseName,
                     Instant createdAt) {

    /** @throws NullPointerException when any component is null */
    public Tenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(databaseName, "databaseName");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Returns a copy in another state. */
    public Tenant withStatus(TenantStatus newStatus) {
        return new Tenant(id, name, environment, newStatus, databaseName, createdAt);
    }
}
