package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.UUID;

/**
 * The one place that turns a tenant's connection details into a stored secret and back: the libpq URI, sealed by
 * a {@link CipherService} with the tenant id as associated data. Immutable and thread-safe.
 */
public final class ConnectionStringSealer {

    private static final Logger LOG = System.getLogger(ConnectionStringSealer.class.getName());

    private final CipherService cipher;

    public ConnectionStringSealer(CipherService cipher) {
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /** The associated data binding a sealed connection string to its tenant: the canonical lower-case id. */
    public static byte[] associatedData(UUID tenantId) {
        return tenantId.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Seals {@code details} for {@code tenantId} under the cipher's primary key. */
    public SealedValue seal(UUID tenantId, ConnectionDetails details) throws GeneralSecurityException {
        return cipher.encrypt(details.toUri().getBytes(StandardCharsets.UTF_8), associatedData(tenantId));
    }

    /**
     * Opens a stored secret of {@code tenantId}.
     *
     * @throws ProvisioningException {@link ErrorCode#CRYPTO_FAILED} when no configured key opens it for this tenant
     */
    public ConnectionDetails open(UUID tenantId, String sealed) {
        try {
            byte[] uri = cipher.decrypt(sealed, associatedData(tenantId));
            return ConnectionDetails.fromUri(new String(uri, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "tenant {0}: stored connection string does not decrypt: {1}", tenantId,
                    e.getClass().getSimpleName());
            throw new ProvisioningException(ErrorCode.CRYPTO_FAILED, "the stored connection string does not decrypt");
        }
    }
}
