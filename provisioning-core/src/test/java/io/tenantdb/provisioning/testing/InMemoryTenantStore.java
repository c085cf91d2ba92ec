package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.TenantStore;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link TenantStore} in memory with the same rules as the JDBC one: one live tenant per (environment,
 * lower-case name), activation only from {@code provisioning}. Operations {@code "reserve"}, {@code "activate"},
 * {@code "release"}, {@code "find"} can be failed through {@link #faults()}. Thread-safe (one lock).
 */
public final class InMemoryTenantStore implements TenantStore {

    private final Faults faults = new Faults();
    private final Map<UUID, Tenant> tenants = new HashMap<>();
    private final Map<UUID, StoredDatabase> databases = new HashMap<>();
    private final Map<UUID, String> steps = new HashMap<>();

    public Faults faults() {
        return faults;
    }

    @Override
    public synchronized boolean reserve(Tenant tenant) throws SQLException {
        faults.check("reserve");
        String key = tenant.name().toLowerCase(Locale.ROOT);
        boolean taken = tenants.values().stream().anyMatch(t -> t.environment() == tenant.environment()
                && t.name().toLowerCase(Locale.ROOT).equals(key)
                && t.status() != TenantStatus.DELETED && t.status() != TenantStatus.FAILED);
        if (taken) {
            return false;
        }
        tenants.put(tenant.id(), tenant);
        return true;
    }

    @Override
    public synchronized void advance(UUID tenantId, String step) throws SQLException {
        faults.check("advance");
        Tenant tenant = tenants.get(tenantId);
        if (tenant == null || tenant.status() != TenantStatus.PROVISIONING) {
            throw new SQLException("tenant is no longer being provisioned", "55000");
        }
        steps.put(tenantId, step);
    }

    /** The last step a provisioning reported, or null. */
    public synchronized String step(UUID tenantId) {
        return steps.get(tenantId);
    }

    @Override
    public synchronized void activate(UUID tenantId, StoredDatabase database) throws SQLException {
        faults.check("activate");
        Tenant tenant = tenants.get(tenantId);
        if (tenant == null || tenant.status() != TenantStatus.PROVISIONING) {
            throw new SQLException("tenant is no longer being provisioned", "55000");
        }
        tenants.put(tenantId, tenant.withStatus(TenantStatus.ACTIVE));
        databases.put(tenantId, database);
    }

    @Override
    public synchronized void release(UUID tenantId) throws SQLException {
        faults.check("release");
        tenants.remove(tenantId);
        databases.remove(tenantId);
        steps.remove(tenantId);
    }

    @Override
    public synchronized Optional<Tenant> find(UUID tenantId) throws SQLException {
        faults.check("find");
        return Optional.ofNullable(tenants.get(tenantId));
    }

    @Override
    public synchronized Optional<StoredDatabase> findDatabase(UUID tenantId) throws SQLException {
        faults.check("find");
        return Optional.ofNullable(databases.get(tenantId));
    }

    /** Every tenant held now, in no particular order. */
    public synchronized List<Tenant> tenants() {
        return List.copyOf(tenants.values());
    }
}
