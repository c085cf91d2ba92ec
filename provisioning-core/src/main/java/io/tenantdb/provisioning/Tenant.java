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
 * @param server       the name of the PostgreSQL server that holds the database, {@link DatabaseServer#DEFAULT}
 *                     unless placement chose another
 */
public record Tenant(UUID id, String name, Environment environment, TenantStatus status, String databaseName,
                     Instant createdAt, String server) {

    /** @throws NullPointerException when any component is null */
    public Tenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(databaseName, "databaseName");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(server, "server");
    }

    /**
     * A tenant on the {@link DatabaseServer#DEFAULT default} server.
     *
     * @throws NullPointerException when any component is null
     */
    public Tenant(UUID id, String name, Environment environment, TenantStatus status, String databaseName,
                  Instant createdAt) {
        this(id, name, environment, status, databaseName, createdAt, DatabaseServer.DEFAULT);
    }

    /** Returns a copy in another state. */
    public Tenant withStatus(TenantStatus newStatus) {
        return new Tenant(id, name, environment, newStatus, databaseName, createdAt, server);
    }

    /** Returns a copy placed on another server. */
    public Tenant onServer(String serverName) {
        return new Tenant(id, name, environment, status, databaseName, createdAt, serverName);
    }
}
