package io.tenantdb.provisioning;

import io.tenantdb.provisioning.internal.Failures;
import io.tenantdb.provisioning.internal.ConnectionStringSealer;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.TenantStore.StoredSecret;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What a host needs to use tenant databases: each tenant's decrypted connection details, and re-encryption of
 * every stored secret after an encryption-key rotation. Needs only the control plane and the cipher, not the admin
 * role. Immutable and thread-safe.
 *
 * <pre>{@code
 * ConnectionDetails db = connections.details(tenantId);
 * try (Connection c = DriverManager.getConnection(db.toJdbcUrl(), db.user(), db.password())) { ... }
 * }</pre>
 */
public final class TenantConnections {

    private static final Logger LOG = System.getLogger(TenantConnections.class.getName());

    private final TenantStore store;
    private final ConnectionStringSealer sealer;

    /** @throws NullPointerException when an argument is null */
    public TenantConnections(TenantStore store, CipherService cipher) {
        this.store = Objects.requireNonNull(store, "store");
        this.sealer = new ConnectionStringSealer(cipher);
    }

    /**
     * Returns how to reach an active tenant's database as its own role.
     *
     * @throws ProvisioningException {@link ErrorCode#TENANT_NOT_FOUND} when the tenant is unknown;
     *                               {@link ErrorCode#TENANT_NOT_ACTIVE} when it is known but has no database (deleted,
     *                               still provisioning or being deleted); {@link ErrorCode#CRYPTO_FAILED} when the
     *                               stored value does not decrypt; {@link ErrorCode#DATABASE_UNAVAILABLE} or
     *                               {@link ErrorCode#STORE_FAILED} when the control plane fails
     */
    public ConnectionDetails details(UUID tenantId) {
        Objects.requireNonNull(tenantId, "tenantId");
        TenantStore.StoredDatabase database = Failures.call(
                        () -> store.findDatabase(tenantId), "reading the control plane")
                .orElseThrow(() -> notServable(tenantId));
        return sealer.open(tenantId, database.connectionStringEncrypted());
    }

    private ProvisioningException notServable(UUID tenantId) {
        return Failures.call(() -> store.find(tenantId), "reading the control plane")
                .map(tenant -> new ProvisioningException(ErrorCode.TENANT_NOT_ACTIVE,
                        "the tenant is " + tenant.status().wireName()))
                .orElseGet(() -> new ProvisioningException(ErrorCode.TENANT_NOT_FOUND, "no such tenant"));
    }

    /**
     * Re-encrypts, with the cipher's primary key, every stored secret sealed by another key, in batches. Online
     * (a secret changed meanwhile is skipped and picked up by the next run) and resumable (it only ever looks for
     * values not yet under the primary key).
     *
     * @param primaryKeyId the id of the cipher's primary key, as it appears in stored values' key id
     * @param batchSize    secrets read per query, 1 to 1000
     * @return counts of what was found and done
     * @throws IllegalArgumentException when the batch size is out of range
     * @throws ProvisioningException    when the control plane fails; work done so far stays done
     */
    public RekeyReport rekey(String primaryKeyId, int batchSize) {
        Objects.requireNonNull(primaryKeyId, "primaryKeyId");
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException("batch size must be 1 to 1000");
        }
        int reencrypted = 0;
        int skipped = 0;
        int failed = 0;
        UUID after = null;
        while (true) {
            UUID from = after;
            List<StoredSecret> batch = Failures.call(() -> store.secretsNotSealedBy(primaryKeyId, from, batchSize),
                    "reading stored secrets");
            if (batch.isEmpty()) {
                break;
            }
            for (StoredSecret secret : batch) {
                after = secret.tenantId();
                SealedValue sealed;
                try {
                    sealed = sealer.seal(secret.tenantId(), sealer.open(secret.tenantId(), secret.value()));
                } catch (ProvisioningException | GeneralSecurityException undecryptable) {
                    failed++;
                    continue;
                }
                if (Failures.call(() -> store.replaceSecret(secret.tenantId(), secret.value(), sealed),
                        "storing a re-encrypted secret")) {
                    reencrypted++;
                } else {
                    skipped++;
                }
            }
        }
        RekeyReport report = new RekeyReport(reencrypted, skipped, failed);
        LOG.log(Level.INFO, "rekey: {0} re-encrypted, {1} changed meanwhile, {2} undecryptable",
                reencrypted, skipped, failed);
        return report;
    }

    /**
     * What {@link #rekey} did.
     *
     * @param reencrypted   secrets now sealed by the primary key
     * @param changed       secrets changed by someone else during the run (left for the next run)
     * @param undecryptable secrets no configured key opens
     */
    public record RekeyReport(int reencrypted, int changed, int undecryptable) {
    }
}
