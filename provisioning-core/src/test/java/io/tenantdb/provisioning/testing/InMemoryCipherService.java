package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.spi.CipherService;

import javax.crypto.AEADBadTagException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;

/**
 * A reversible, NOT secret-keeping {@link CipherService} for unit tests: it encodes the associated data with the
 * plaintext and refuses a mismatch, like an AEAD would. Operations {@code "encrypt"} and {@code "decrypt"} can be
 * failed through {@link #faults()} (armed with a RuntimeException).
 */
public final class InMemoryCipherService implements CipherService {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private final Faults faults = new Faults();

    public Faults faults() {
        return faults;
    }

    @Override
    public SealedValue encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        check("encrypt");
        return new SealedValue("fake." + ENCODER.encodeToString(associatedData) + "." + ENCODER.encodeToString(
                reversed(plaintext)), "00000000");
    }

    @Override
    public byte[] decrypt(String sealed, byte[] associatedData) throws GeneralSecurityException {
        check("decrypt");
        String[] parts = sealed.split("\\.");
        if (parts.length != 3 || !parts[1].equals(ENCODER.encodeToString(associatedData))) {
            throw new AEADBadTagException("associated data does not match");
        }
        return reversed(Base64.getUrlDecoder().decode(parts[2]));
    }

    private void check(String operation) throws GeneralSecurityException {
        try {
            faults.check(operation);
        } catch (java.sql.SQLException e) {
            throw new GeneralSecurityException("injected", e);
        }
    }

    // Reversing the bytes keeps the plaintext out of the stored value, so "not stored as plaintext" is testable.
    private static byte[] reversed(byte[] bytes) {
        byte[] copy = Arrays.copyOf(bytes, bytes.length);
        for (int i = 0, j = copy.length - 1; i < j; i++, j--) {
            byte b = copy[i];
            copy[i] = copy[j];
            copy[j] = b;
        }
        return copy;
    }
}
