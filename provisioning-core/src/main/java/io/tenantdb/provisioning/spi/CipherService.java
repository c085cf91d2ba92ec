package io.tenantdb.provisioning.spi;

import java.security.GeneralSecurityException;

/**
 * Authenticated encryption of secrets bound to a context (the tenant id), so a value copied to another
 * tenant's row fails to decrypt. Implementations are thread-safe.
 */
public interface CipherService {

    /**
     * Encrypts {@code plaintext} under the primary key, binding it to {@code associatedData}.
     *
     * @return the stored form and the id of the key that sealed it
     * @throws GeneralSecurityException when the platform's cipher fails
     */
    SealedValue encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException;

    /**
     * Decrypts a value produced by {@link #encrypt} with the same associated data.
     *
     * @throws GeneralSecurityException when the value was tampered with, moved to another context, or sealed
     *                                  under a key this service does not hold
     */
    byte[] decrypt(String sealed, byte[] associatedData) throws GeneralSecurityException;

    /**
     * A sealed secret.
     *
     * @param value the encoded ciphertext, safe to store as text
     * @param keyId the id of the key that sealed it, for rotation bookkeeping
     */
    record SealedValue(String value, String keyId) {
    }
}
