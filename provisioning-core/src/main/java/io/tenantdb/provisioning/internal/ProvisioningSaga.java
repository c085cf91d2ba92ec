package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.ConnectionVerifier;
import io.tenantdb.provisioning.spi.DatabaseCreator;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.TenantStore.StoredDatabase;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The all-or-nothing provisioning saga. Each step that creates something registers its undo before it runs
 * (a step may fail half-way, and every undo is idempotent); a failure runs the registered undos in reverse.
 */
public final class ProvisioningSaga implements TenantProvisioner {

    private static final Logger LOG = System.getLogger(ProvisioningSaga.class.getName());

    private final DatabaseCreator creator;
    private final ConnectionVerifier verifier;
    private final Optional<DatabaseInitializer> initializer;
    private final CipherService cipher;
    private final TenantStore store;
    private final String databasePrefix;
    private final Clock clock;

    /** Called by {@link TenantProvisioner.Builder#build()}, which has checked every argument. */
    public ProvisioningSaga(DatabaseCreator creator, ConnectionVerifier verifier,
                            Optional<DatabaseInitializer> initializer, CipherService cipher, TenantStore store,
                            String databasePrefix, Clock clock) {
        this.creator = creator;
        this.verifier = verifier;
        this.initializer = initializer;
        this.cipher = cipher;
        this.store = store;
        this.databasePrefix = databasePrefix;
        this.clock = clock;
    }

    @Override
    public Tenant provision(TenantRequest request) {
        Objects.requireNonNull(request, "request");
        long started = System.nanoTime();
        UUID id = UUID.randomUUID();
        // The name comes from the random id alone: user input never reaches an identifier.
        String databaseName = databasePrefix + id.toString().replace('-', '_');
        Tenant tenant = new Tenant(id, request.name(), request.environment(), TenantStatus.PROVISIONING,
                databaseName, clock.instant().truncatedTo(ChronoUnit.MICROS));

        if (!step(ProvisioningStep.RESERVE, id, () -> store.reserve(tenant))) {
            LOG.log(Level.INFO, "tenant {0} refused: name already live in {1}", id, tenant.environment().wireName());
            throw new ProvisioningException(ErrorCode.DUPLICATE_TENANT,
                    "a tenant with this name already exists in " + tenant.environment().wireName());
        }
        Deque<Undo> undos = new ArrayDeque<>();
        undos.push(new Undo("release", () -> store.release(id)));
        try {
            undos.push(new Undo("drop", () -> creator.drop(databaseName, databaseName)));
            ConnectionDetails details = step(ProvisioningStep.CREATE, id,
                    () -> creator.create(id, databaseName, databaseName));
            step(ProvisioningStep.VERIFY, id, () -> verifier.verify(details));
            if (initializer.isPresent()) {
                step(ProvisioningStep.INITIALIZE, id, () -> {
                    initializer.get().initialize(details);
                    return null;
                });
            }
            SealedValue sealed = step(ProvisioningStep.ENCRYPT, id, () -> cipher.encrypt(
                    details.toUri().getBytes(StandardCharsets.UTF_8), associatedData(id)));
            step(ProvisioningStep.STORE, id, () -> {
                store.activate(id, new StoredDatabase(databaseName, databaseName, sealed.value(), sealed.keyId()));
                return null;
            });
        } catch (ProvisioningException failure) {
            compensate(id, undos, failure);
            throw failure;
        }
        LOG.log(Level.INFO, "tenant {0} provisioned in {1} ms", id, elapsedMillis(started));
        return tenant.withStatus(TenantStatus.ACTIVE);
    }

    @Override
    public Tenant provision(TenantRequest request, String idempotencyKey) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        throw new ProvisioningException(ErrorCode.INVALID_REQUEST,
                "Idempotency-Key is not supported: no idempotency store is configured");
    }

    @Override
    public Optional<Tenant> find(UUID tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        try {
            return store.find(tenantId);
        } catch (Exception e) {
            ErrorCode code = SqlFailures.isUnavailable(e) ? ErrorCode.DATABASE_UNAVAILABLE : ErrorCode.STORE_FAILED;
            LOG.log(Level.WARNING, "reading tenant {0} failed: {1}", tenantId, SqlFailures.describe(e));
            throw new ProvisioningException(code, "reading the control plane failed", e);
        }
    }

    /** The associated data binding a sealed connection string to its tenant: the canonical lower-case id. */
    public static byte[] associatedData(UUID tenantId) {
        return tenantId.toString().getBytes(StandardCharsets.UTF_8);
    }

    private <T> T step(ProvisioningStep step, UUID id, Action<T> action) {
        long started = System.nanoTime();
        boolean leaseRenewed = !step.renewsLease();
        try {
            if (!leaseRenewed) {
                store.advance(id, step.label());
                leaseRenewed = true;
            }
            T result = action.run();
            LOG.log(Level.DEBUG, "tenant {0} step {1} done in {2} ms", id, step.label(), elapsedMillis(started));
            return result;
        } catch (Exception e) {
            boolean adminSide = !leaseRenewed || step.usesAdminConnections();
            ErrorCode code = adminSide && SqlFailures.isUnavailable(e)
                    ? ErrorCode.DATABASE_UNAVAILABLE : step.failureCode();
            LOG.log(Level.WARNING, "tenant {0} step {1} failed after {2} ms: {3}",
                    id, step.label(), elapsedMillis(started), SqlFailures.describe(e));
            throw new ProvisioningException(code, "provisioning step " + step.label() + " failed", e);
        }
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

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    @FunctionalInterface
    private interface Action<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    private interface UndoAction {
        void run() throws Exception;
    }

    private record Undo(String label, UndoAction action) {
    }
}
