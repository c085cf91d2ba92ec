package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.IdempotencyStore;
import io.tenantdb.provisioning.spi.IdempotencyStore.Claim;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Adds {@code Idempotency-Key} semantics to a provisioner: the same key with the same request returns the tenant
 * the first request created; while that request runs, {@code REQUEST_IN_PROGRESS}; the same key with another
 * request, {@code IDEMPOTENCY_KEY_REUSED}. A failed request releases its key, so a retry runs again.
 */
public final class IdempotentProvisioner implements TenantProvisioner {

    private static final Logger LOG = System.getLogger(IdempotentProvisioner.class.getName());

    private final ProvisioningSaga delegate;
    private final IdempotencyStore keys;

    public IdempotentProvisioner(ProvisioningSaga delegate, IdempotencyStore keys) {
        this.delegate = delegate;
        this.keys = keys;
    }

    @Override
    public Tenant provision(TenantRequest request) {
        return delegate.provision(request);
    }

    @Override
    public Tenant provision(TenantRequest request, String idempotencyKey) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        // Chosen before the claim and recorded with it, so the key's outcome can be read from the activation itself.
        UUID newTenantId = UUID.randomUUID();
        Claim claim = Failures.call(() -> keys.claim(idempotencyKey, hash(request), newTenantId),
                "recording the Idempotency-Key", ErrorCode.RESERVE_FAILED);
        switch (claim.outcome()) {
            case MISMATCH:
                throw new ProvisioningException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                        "this Idempotency-Key was already used with a different request");
            case IN_PROGRESS:
                // The first request may have activated its tenant and died before recording the key's end.
                Optional<Tenant> activated = claim.tenantId().flatMap(delegate::find)
                        .filter(tenant -> tenant.status() != TenantStatus.PROVISIONING
                                && tenant.status() != TenantStatus.FAILED);
                if (activated.isPresent()) {
                    complete(idempotencyKey, activated.get());
                    return activated.get();
                }
                throw new ProvisioningException(ErrorCode.REQUEST_IN_PROGRESS,
                        "a request with this Idempotency-Key is still running");
            case COMPLETED:
                UUID tenantId = claim.tenantId().orElseThrow();
                return delegate.find(tenantId).orElseThrow(() -> new ProvisioningException(
                        ErrorCode.TENANT_NOT_FOUND, "the tenant this Idempotency-Key created no longer exists"));
            default:
                break;
        }
        Tenant tenant;
        try {
            tenant = delegate.provision(request, newTenantId);
        } catch (RuntimeException failure) {
            try {
                keys.release(idempotencyKey);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "releasing an idempotency key failed; it expires on its own: {0}",
                        SqlFailures.describe(e));
                failure.addSuppressed(e);
            }
            throw failure;
        }
        complete(idempotencyKey, tenant);
        return tenant;
    }

    private void complete(String idempotencyKey, Tenant tenant) {
        try {
            keys.complete(idempotencyKey, tenant.id());
        } catch (Exception e) {
            // The tenant exists and is returned; a retry with this key finds it through the claim's tenant id.
            LOG.log(Level.WARNING, "tenant {0} provisioned but its idempotency key was not completed: {1}",
                    tenant.id(), SqlFailures.describe(e));
        }
    }

    @Override
    public Optional<Tenant> find(UUID tenantId) {
        return delegate.find(tenantId);
    }

    @Override
    public TenantPage list(TenantQuery query) {
        return delegate.list(query);
    }

    @Override
    public Tenant deprovision(UUID tenantId) {
        return delegate.deprovision(tenantId);
    }

    @Override
    public Tenant rotateCredentials(UUID tenantId) {
        return delegate.rotateCredentials(tenantId);
    }

    /** The canonical request: environment and exact name; a different case is a different request. */
    static String hash(TenantRequest request) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (request.environment().wireName() + "\n" + request.name()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
