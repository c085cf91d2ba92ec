package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantCursor;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.SchemaVersionStore;
import io.tenantdb.provisioning.spi.TenantStore;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A {@link TenantStore} in memory with the same rules as the JDBC one: one live tenant per (environment,
 * lower-case name), activation only from {@code provisioning}. Operations {@code "reserve"}, {@code "activate"},
 * {@code "release"}, {@code "find"}, {@code "list"}, {@code "begin-deletion"}, {@code "finish-deletion"},
 * {@code "replace-secret"}, {@code "secrets"} and {@code "schemas"} (every {@link SchemaVersionStore} method) can be
 * failed through {@link #faults()}. Thread-safe (one lock).
 */
public final class InMemoryTenantStore implements TenantStore, SchemaVersionStore {

    private final Faults faults = new Faults();
    private final Map<UUID, Tenant> tenants = new HashMap<>();
    private final Map<UUID, StoredDatabase> databases = new HashMap<>();
    private final Map<UUID, String> steps = new HashMap<>();
    private final Map<UUID, TenantSchema> schemas = new HashMap<>();

    private Duration lease = Duration.ZERO;

    public Faults faults() {
        return faults;
    }

    /** Sets what {@link #lease()} answers; zero, the default, has the saga renew before every long step. */
    public synchronized void lease(Duration length) {
        this.lease = length;
    }

    @Override
    public synchronized Duration lease() {
        return lease;
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
        // As JdbcTenantStore: the reservation takes the lease and records its step.
        steps.put(tenant.id(), "reserve");
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
        schemas.remove(tenantId);
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

    @Override
    public synchronized TenantPage list(TenantQuery query) throws SQLException {
        faults.check("list");
        Comparator<Tenant> newestFirst = Comparator.comparing(Tenant::createdAt).thenComparing(Tenant::id).reversed();
        List<Tenant> matching = tenants.values().stream()
                .filter(t -> query.environment().map(e -> e == t.environment()).orElse(true))
                .filter(t -> query.status().map(s -> s == t.status()).orElse(true))
                .filter(t -> query.after().map(c -> newestFirst.compare(t, cursorTenant(c, t)) > 0).orElse(true))
                .sorted(newestFirst)
                .collect(Collectors.toList());
        if (matching.size() <= query.limit()) {
            return new TenantPage(matching, Optional.empty());
        }
        List<Tenant> page = matching.subList(0, query.limit());
        return new TenantPage(page, Optional.of(TenantCursor.after(page.get(page.size() - 1))));
    }

    private static Tenant cursorTenant(TenantCursor cursor, Tenant like) {
        return new Tenant(cursor.id(), like.name(), like.environment(), like.status(), like.databaseName(),
                cursor.createdAt());
    }

    @Override
    public synchronized Optional<Tenant> beginDeletion(UUID tenantId) throws SQLException {
        faults.check("begin-deletion");
        Tenant tenant = tenants.get(tenantId);
        if (tenant != null && (tenant.status() == TenantStatus.ACTIVE || tenant.status() == TenantStatus.FAILED)) {
            tenant = tenant.withStatus(TenantStatus.DELETING);
            tenants.put(tenantId, tenant);
        }
        return Optional.ofNullable(tenant);
    }

    @Override
    public synchronized void finishDeletion(UUID tenantId) throws SQLException {
        faults.check("finish-deletion");
        Tenant tenant = tenants.get(tenantId);
        if (tenant == null || tenant.status() != TenantStatus.DELETING && tenant.status() != TenantStatus.DELETED) {
            throw new SQLException("tenant is not being deleted", "55000");
        }
        tenants.put(tenantId, tenant.withStatus(TenantStatus.DELETED));
        databases.remove(tenantId);
    }

    @Override
    public synchronized boolean replaceSecret(UUID tenantId, String expected, SealedValue replacement)
            throws SQLException {
        faults.check("replace-secret");
        StoredDatabase current = databases.get(tenantId);
        if (current == null || !current.connectionStringEncrypted().equals(expected)) {
            return false;
        }
        databases.put(tenantId, new StoredDatabase(current.databaseName(), current.roleName(), replacement.value(),
                replacement.keyId()));
        return true;
    }

    @Override
    public synchronized List<StoredSecret> secretsNotSealedBy(String keyId, UUID after, int limit)
            throws SQLException {
        faults.check("secrets");
        return databases.entrySet().stream()
                .filter(e -> !e.getValue().keyId().equals(keyId))
                .filter(e -> after == null || e.getKey().compareTo(after) > 0)
                .sorted(Map.Entry.comparingByKey())
                .limit(limit)
                .map(e -> new StoredSecret(e.getKey(), e.getValue().connectionStringEncrypted(), e.getValue().keyId()))
                .collect(Collectors.toList());
    }

    @Override
    public synchronized void recordMigrated(UUID tenantId, String version) throws SQLException {
        faults.check("schemas");
        requireKnown(tenantId);
        schemas.put(tenantId, new TenantSchema(Optional.of(version), Optional.of(Instant.now()), Optional.empty(),
                Optional.empty(), Optional.empty()));
    }

    @Override
    public synchronized void recordFailure(UUID tenantId, String failedVersion, String errorCode)
            throws SQLException {
        faults.check("schemas");
        requireKnown(tenantId);
        TenantSchema previous = schemas.get(tenantId);
        schemas.put(tenantId, new TenantSchema(previous == null ? Optional.empty() : previous.version(),
                previous == null ? Optional.empty() : previous.migratedAt(), Optional.of(failedVersion),
                Optional.of(errorCode), Optional.of(Instant.now())));
    }

    @Override
    public synchronized Map<UUID, TenantSchema> schemas(Collection<UUID> tenantIds) throws SQLException {
        faults.check("schemas");
        Map<UUID, TenantSchema> found = new HashMap<>();
        tenantIds.stream().filter(schemas::containsKey).forEach(id -> found.put(id, schemas.get(id)));
        return found;
    }

    @Override
    public synchronized FleetSchemas summarize(Optional<String> targetVersion, Optional<UUID> failedAfter,
                                               int limit) throws SQLException {
        faults.check("schemas");
        Map<Optional<String>, Integer> byVersion = new HashMap<>();
        List<UUID> failed = new ArrayList<>();
        int current = 0;
        int active = 0;
        for (Tenant tenant : tenants.values()) {
            if (tenant.status() != TenantStatus.ACTIVE) {
                continue;
            }
            active++;
            TenantSchema schema = schemas.get(tenant.id());
            Optional<String> version = schema == null ? Optional.empty() : schema.version();
            byVersion.merge(version, 1, Integer::sum);
            if (schema != null && schema.failureCode().isPresent()) {
                failed.add(tenant.id());
            } else if (targetVersion.isEmpty() || targetVersion.equals(version)) {
                current++;
            }
        }
        // PostgreSQL orders uuids by their unsigned bytes, as their text does.
        Comparator<UUID> byText = Comparator.comparing(UUID::toString);
        List<UUID> after = failed.stream().sorted(byText)
                .filter(id -> failedAfter.map(cursor -> byText.compare(id, cursor) > 0).orElse(true))
                .collect(Collectors.toList());
        List<UUID> page = after.subList(0, Math.min(limit, after.size()));
        List<VersionCount> versions = byVersion.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(v -> v.orElse(""))))
                .map(e -> new VersionCount(e.getKey(), e.getValue())).collect(Collectors.toList());
        return new FleetSchemas(targetVersion, versions, current, active - current - failed.size(), failed.size(),
                page, after.size() > limit ? Optional.of(page.get(page.size() - 1)) : Optional.empty());
    }

    private void requireKnown(UUID tenantId) throws SQLException {
        if (!tenants.containsKey(tenantId)) {
            throw new SQLException("unknown tenant", "23503");
        }
    }

    /** Every tenant held now, in no particular order. */
    public synchronized List<Tenant> tenants() {
        return List.copyOf(tenants.values());
    }
}
