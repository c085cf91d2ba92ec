package io.tenantdb.provisioning.crypto;

import io.tenantdb.provisioning.spi.CipherService;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * AES-256-GCM with a versioned, self-describing format. The stored value is base64url without padding of
 * {@code 0x01 ‖ key id (4 bytes, big-endian) ‖ nonce (12 random bytes) ‖ ciphertext ‖ tag (16 bytes)}; the
 * associated data is {@code 0x01 ‖ key id ‖ the caller's associated data}, so neither the header nor the
 * context can be altered without failing the tag.
 *
 * <p>One primary key encrypts; it and any previous keys decrypt, chosen by the key id in the value.
 * Immutable and thread-safe.
 */
public final class AesGcmCipherService implements CipherService {

    private static final byte FORMAT_VERSION = 0x01;
    private static final int HEADER_LENGTH = 1 + 4;
    private static final int NONCE_LENGTH = 12;
    private static final int TAG_BITS = 128;
    private static final int MIN_LENGTH = HEADER_LENGTH + NONCE_LENGTH + TAG_BITS / 8;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final EncryptionKey primary;
    private final Map<Integer, EncryptionKey> keysById;
    private final SecureRandom random;

    /**
     * @param primary  encrypts new values, and decrypts
     * @param previous decrypt only, for values sealed before a rotation
     * @throws IllegalArgumentException when two different keys share an id
     */
    public AesGcmCipherService(EncryptionKey primary, List<EncryptionKey> previous) {
        this(primary, previous, new SecureRandom());
    }

    /** For known-answer tests only: {@code nonces} supplies every nonce, so a test can fix one. */
    AesGcmCipherService(EncryptionKey primary, List<EncryptionKey> previous, SecureRandom nonces) {
        this.random = Objects.requireNonNull(nonces, "nonces");
        this.primary = Objects.requireNonNull(primary, "primary");
        Map<Integer, EncryptionKey> keys = new HashMap<>();
        keys.put(primary.id(), primary);
        for (EncryptionKey key : previous) {
            Objects.requireNonNull(key, "previous key");
            EncryptionKey clash = keys.putIfAbsent(key.id(), key);
            if (clash != null && !clash.equals(key)) {
                throw new IllegalArgumentException("two different keys share the id " + key.idHex());
            }
        }
        this.keysById = Map.copyOf(keys);
    }

    /** A service with one key that both encrypts and decrypts. */
    public AesGcmCipherService(EncryptionKey primary) {
        this(primary, List.of());
    }

    /** The key new values are sealed under. */
    public EncryptionKey primaryKey() {
        return primary;
    }

    @Override
    public SealedValue encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(associatedData, "associatedData");
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] header = header(primary.id());
        Cipher cipher = cipher(Cipher.ENCRYPT_MODE, primary, nonce, header, associatedData);
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + NONCE_LENGTH + cipher.getOutputSize(plaintext.length));
        out.put(header).put(nonce);
        cipher.doFinal(ByteBuffer.wrap(plaintext), out);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
        return new SealedValue(value, primary.idHex());
    }

    @Override
    public byte[] decrypt(String sealed, byte[] associatedData) throws GeneralSecurityException {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(associatedData, "associatedData");
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new AEADBadTagException("sealed value is not base64url");
        }
        if (bytes.length < MIN_LENGTH || bytes[0] != FORMAT_VERSION) {
            throw new AEADBadTagException("sealed value has an unknown format");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.get();
        EncryptionKey key = keysById.get(in.getInt());
        if (key == null) {
            throw new AEADBadTagException("sealed under a key this service does not hold");
        }
        byte[] nonce = new byte[NONCE_LENGTH];
        in.get(nonce);
        Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, nonce, header(key.id()), associatedData);
        return cipher.doFinal(bytes, in.position(), in.remaining());
    }

    private static Cipher cipher(int mode, EncryptionKey key, byte[] nonce, byte[] header, byte[] associatedData)
            throws GeneralSecurityException {
        // Cipher instances are not thread-safe; creating one per call is cheap next to a database round trip.
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, new SecretKeySpec(key.raw(), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(header);
        cipher.updateAAD(associatedData);
        return cipher;
    }

    private static byte[] header(int keyId) {
        return ByteBuffer.allocate(HEADER_LENGTH).put(FORMAT_VERSION).putInt(keyId).array();
    }
}
