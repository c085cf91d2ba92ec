package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.ConnectionVerifier;
import io.tenantdb.provisioning.spi.DatabaseCreator;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningEvent.Kind;
import io.tenantdb.provisioning.spi.ProvisioningListener;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.TenantStore.StoredDatabase;
import io.tenantdb.provisioning.spi.WarmPool;
import io.tenantdb.provisioning.spi.WarmPool.Entry;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The all-or-nothing lifecycle sagas: provision, deprovision, rotate credentials. Each step that creates or
 * changes something registers its undo before it runs (a step may fail half-way, and every undo is idempotent);
 * a failure runs the registered undos in reverse.
 */
public final class ProvisioningSaga implements TenantProvisioner {

    private static final Logger LOG = System.getLogger(ProvisioningSaga.class.getName());

    private final ServerPlacement placement;
    private final ConnectionVerifier verifier;
    private final Optional<DatabaseInitializer> initializer;
    private final ConnectionStringSealer sealer;
    private final TenantStore store;
    private final Optional<ProvisioningListener> listener;
    private final Optional<WarmPool> warmPool;
    private final String databasePrefix;
    private final Clock clock;

    /** Called by {@link TenantProvisioner.Builder#build()}, which has checked every component. */
    public ProvisioningSaga(Components components) {
        this.placement = components.placement();
        this.verifier = components.verifier();
        this.initializer = components.initializer();
        this.sealer = new ConnectionStringSealer(components.cipher());
        this.store = components.store();
        this.listener = components.listener();
        this.warmPool = components.warmPool();
        this.databasePrefix = components.databasePrefix();
        this.clock = components.clock();
    }

    /** What a saga is built from: the SPI components, the database prefix and the clock. */
    public record Components(ServerPlacement placement, ConnectionVerifier verifier,
                             Optional<DatabaseInitializer> initializer, CipherService cipher, TenantStore store,
                             Optional<ProvisioningListener> listener, Optional<WarmPool> warmPool,
                             String databasePrefix, Clock clock) {
    }

    @Override
    public Tenant provision(TenantRequest request) {
        return provision(request, UUID.randomUUID());
    }

    /** Provisions a tenant whose id the caller chose at random beforehand (see {@link IdempotentProvisioner}). */
    Tenant provision(TenantRequest request, UUID id) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(id, "id");
        long started = System.nanoTime();
        // The name comes from the random id alone: user input never reaches an identifier.
        String databaseName = databasePrefix + id.toString().replace('-', '_');
        Tenant tenant = new Tenant(id, request.name(), request.environment(), TenantStatus.PROVISIONING,
                databaseName, clock.instant().truncatedTo(ChronoUnit.MICROS));
        publish(Kind.STARTED, id, null, started, null, tenant.environment());

        ServerPlacement.Placed reserved;
        try {
            Optional<ServerPlacement.Placed> reservation = stepWithoutLease(ProvisioningStep.RESERVE, id,
                    () -> placement.reserve(tenant));
            if (reservation.isEmpty()) {
                // No id: it was drawn for a tenant that never existed and that the client never sees.
                LOG.log(Level.INFO, "provisioning refused: the name is already live in {0}",
                        tenant.environment().wireName());
                throw new ProvisioningException(ErrorCode.DUPLICATE_TENANT,
                        "a tenant with this name already exists in " + tenant.environment().wireName());
            }
            reserved = reservation.get();
        } catch (ProvisioningException failure) {
            publish(Kind.FAILED, id, ProvisioningStep.RESERVE.label(), started, failure.code(), tenant.environment());
            throw failure;
        }
        LeaseAge lease = new LeaseAge(store.lease());
        Deque<Undo> undos = new ArrayDeque<>();
        undos.push(new Undo("release", () -> store.release(id)));
        Tenant placed = reserved.tenant();
        Optional<Entry> entry = reserved.entry();
        try {
            if (entry.isPresent()) {
                // Before its rename commits the entry keeps its own name and mark; after, the tenant's.
                undos.push(new Undo("discard entry", () -> warmPool.orElseThrow().discard(entry.get())));
            }
            DatabaseCreator creator = Failures.call(() -> placement.creatorFor(placed.server()),
                    "finding the tenant's server", ErrorCode.CREATE_FAILED);
            undos.push(new Undo("drop", () -> creator.drop(id, databaseName, databaseName)));
            ConnectionDetails details = entry.isPresent()
                    ? step(ProvisioningStep.CLAIM, id, lease,
                            () -> warmPool.orElseThrow().claim(id, databaseName, entry.get()))
                    : step(ProvisioningStep.CREATE, id, lease, () -> creator.create(id, databaseName, databaseName));
            step(ProvisioningStep.VERIFY, id, lease, () -> verifier.verify(details));
            // An entry was initialized when it was made, at the schema version the pool hands out.
            if (initializer.isPresent() && entry.isEmpty()) {
                step(ProvisioningStep.INITIALIZE, id, lease, () -> {
                    initializer.get().initialize(id, details);
                    return null;
                });
            }
            SealedValue sealed = step(ProvisioningStep.ENCRYPT, id, lease, () -> sealer.seal(id, details));
            step(ProvisioningStep.STORE, id, lease, () -> {
                store.activate(id, new StoredDatabase(databaseName, databaseName, sealed.value(), sealed.keyId()));
                return null;
            });
        } catch (ProvisioningException failure) {
            compensate(id, undos, failure);
            publish(Kind.FAILED, id, null, started, failure.code(), tenant.environment());
            throw failure;
        }
        LOG.log(Level.INFO, "tenant {0} provisioned on server {1} in {2} ms", id, placed.server(),
                elapsedMillis(started));
        publish(Kind.SUCCEEDED, id, null, started, null, tenant.environment());
        return placed.withStatus(TenantStatus.ACTIVE);
    }

    @Override
    public Tenant provision(TenantRequest request, String idempotencyKey) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        throw new ProvisioningException(ErrorCode.IDEMPOTENCY_NOT_SUPPORTED,
                "Idempotency-Key is not supported: no idempotency store is configured");
    }

    @Override
    public Optional<Tenant> find(UUID tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        return Failures.call(() -> store.find(tenantId), "reading the control plane");
    }

    @Override
    public TenantPage list(TenantQuery query) {
        Objects.requireNonNull(query, "query");
        return Failures.call(() -> store.list(query), "listing tenants");
    }

    @Override
    public Tenant deprovision(UUID tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        long started = System.nanoTime();
        Tenant tenant = Failures.call(() -> store.beginDeletion(tenantId), "marking the tenant deleting")
                .orElseThrow(() -> new ProvisioningException(ErrorCode.TENANT_NOT_FOUND, "no such tenant"));
        switch (tenant.status()) {
            case DELETED:
                return tenant;
            case DELETING:
                break;
            default:
                throw new ProvisioningException(ErrorCode.TENANT_NOT_ACTIVE,
                        "the tenant is " + tenant.status().wireName() + " and cannot be deleted now");
        }
        // Deletion only moves forward: each step is idempotent, and a reconciler finishes what a crash interrupts.
        Failures.call(() -> {
            placement.creatorFor(tenant.server()).drop(tenantId, tenant.databaseName(), tenant.databaseName());
            return null;
        }, "dropping the tenant database");
        Failures.call(() -> {
            store.finishDeletion(tenantId);
            return null;
        }, "recording the deletion");
        LOG.log(Level.INFO, "tenant {0} deprovisioned in {1} ms", tenantId, elapsedMillis(started));
        publish(Kind.DEPROVISIONED, tenantId, null, started, null, tenant.environment());
        return tenant.withStatus(TenantStatus.DELETED);
    }

    @Override
    public Tenant rotateCredentials(UUID tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        long started = System.nanoTime();
        Tenant tenant = find(tenantId)
                .orElseThrow(() -> new ProvisioningException(ErrorCode.TENANT_NOT_FOUND, "no such tenant"));
        if (tenant.status() != TenantStatus.ACTIVE) {
            throw new ProvisioningException(ErrorCode.TENANT_NOT_ACTIVE,
                    "the tenant is " + tenant.status().wireName() + "; only active tenants rotate credentials");
        }
        StoredDatabase stored = Failures.call(() -> store.findDatabase(tenantId), "reading the stored secret")
                .orElseThrow(() -> new ProvisioningException(ErrorCode.TENANT_NOT_ACTIVE, "no stored secret"));
        ConnectionDetails previous = sealer.open(tenantId, stored.connectionStringEncrypted());
        DatabaseCreator creator = Failures.call(() -> placement.creatorFor(tenant.server()),
                "finding the tenant's server");
        Deque<Undo> undos = new ArrayDeque<>();
        try {
            undos.push(new Undo("restore password", () -> creator.restorePassword(previous)));
            ConnectionDetails next = stepWithoutLease(ProvisioningStep.ROTATE, tenantId,
                    () -> creator.rotatePassword(stored.databaseName(), stored.roleName()));
            stepWithoutLease(ProvisioningStep.VERIFY, tenantId, () -> verifier.verify(next));
            SealedValue sealed = stepWithoutLease(ProvisioningStep.ENCRYPT, tenantId,
                    () -> sealer.seal(tenantId, next));
            boolean replaced = stepWithoutLease(ProvisioningStep.STORE, tenantId,
                    () -> store.replaceSecret(tenantId, stored.connectionStringEncrypted(), sealed));
            if (!replaced) {
                throw new ProvisioningException(ErrorCode.STORE_FAILED,
                        "the stored secret changed during rotation; try again");
            }
        } catch (ProvisioningException failure) {
            compensate(tenantId, undos, failure);
            publish(Kind.FAILED, tenantId, null, started, failure.code(), tenant.environment());
            throw failure;
        }
        LOG.log(Level.INFO, "tenant {0} credentials rotated in {1} ms", tenantId, elapsedMillis(started));
        publish(Kind.CREDENTIALS_ROTATED, tenantId, null, started, null, tenant.environment());
        return tenant;
    }

    /**
     * A provisioning step after the reservation: renews the tenant's provisioning lease first when the step may take
     * long and half the lease has passed since it was last written.
     */
    private <T> T step(ProvisioningStep step, UUID id, LeaseAge lease, Failures.Action<T> action) {
        return run(step, id, step.renewsLease() ? Optional.of(lease) : Optional.empty(), action);
    }

    /** The reservation, which takes the lease, or a step of an operation on an existing tenant, which holds none. */
    private <T> T stepWithoutLease(ProvisioningStep step, UUID id, Failures.Action<T> action) {
        return run(step, id, Optional.empty(), action);
    }

    private <T> T run(ProvisioningStep step, UUID id, Optional<LeaseAge> lease, Failures.Action<T> action) {
        long started = System.nanoTime();
        String what = "tenant " + id + " step " + step.label();
        if (lease.filter(LeaseAge::halfGone).isPresent()) {
            // The lease lives on an admin connection: an unreachable server there is an outage.
            Failures.call(() -> {
                store.advance(id, step.label());
                return null;
            }, what, e -> classify(e, true, step));
            lease.get().renewed();
        }
        T result = Failures.call(action, what, e -> classify(e, step.usesAdminConnections(), step));
        LOG.log(Level.DEBUG, "tenant {0} step {1} done in {2} ms", id, step.label(), elapsedMillis(started));
        publish(Kind.STEP_FINISHED, id, step.label(), started, null, null);
        return result;
    }

    /**
     * A tenant-side connection that fails may point at the new database (endpoint, TLS, credentials); a server that
     * refuses every new session (no slots left, shutting down) is an outage on either side.
     */
    private static ErrorCode classify(Exception failure, boolean adminSide, ProvisioningStep step) {
        boolean unavailable = adminSide ? SqlFailures.isUnavailable(failure) : SqlFailures.isRefusingSessions(failure);
        return unavailable ? ErrorCode.DATABASE_UNAVAILABLE : step.failureCode();
    }

    private static void compensate(UUID id, Deque<Undo> undos, ProvisioningException failure) {
        while (!undos.isEmpty()) {
            Undo undo = undos.pop();
            try {
                undo.action().run();
                LOG.log(Level.INFO, "tenant {0} compensated: {1}", id, undo.label());
            } catch (Exception e) {
                LOG.log(Level.ERROR, "tenant {0} compensation {1} failed, left for the reconciler: {2}",
                        id, undo.label(), SqlFailures.describe(e));
                failure.addSuppressed(e);
            }
        }
    }

    private void publish(Kind kind, UUID tenantId, String step, long startedNanos, ErrorCode error,
                         Environment environment) {
        if (listener.isEmpty()) {
            return;
        }
        ProvisioningEvent event = new ProvisioningEvent(kind, tenantId, Optional.ofNullable(step),
                Duration.ofNanos(System.nanoTime() - startedNanos), Optional.ofNullable(error),
                Optional.ofNullable(environment));
        try {
            listener.get().onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "provisioning listener failed on {0}: {1}", kind, e.getClass().getSimpleName());
        }
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /**
     * How old a provisioning's lease is: written by the reservation, renewed only once half of it has passed, so a
     * provisioning of a few seconds writes it once while one whose steps run long keeps it alive. A store whose
     * {@link TenantStore#lease()} is zero has it renewed before every long step. Confined to one provisioning.
     */
    private static final class LeaseAge {
        private final long halfNanos;
        private long writtenAt = System.nanoTime();

        LeaseAge(Duration lease) {
            this.halfNanos = lease.toNanos() / 2;
        }

        boolean halfGone() {
            return System.nanoTime() - writtenAt >= halfNanos;
        }

        void renewed() {
            writtenAt = System.nanoTime();
        }
    }

    /** An undo, run for its effect; steps return their result through {@link Failures.Action}. */
    @FunctionalInterface
    private interface UndoAction {
        void run() throws Exception;
    }

    private record Undo(String label, UndoAction action) {
    }
}
