package io.tenantdb.provisioning.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 256-bit AES key and its id, the first four bytes of the SHA-256 of the raw key. Immutable; {@link #toString()}
 * shows the id only.
 */
public final class EncryptionKey {

    /** Raw key length in bytes. */
    public static final int LENGTH = 32;

    private final byte[] raw;
    private final int id;

    private EncryptionKey(byte[] raw) {
        // All zeros, or any one byte repeated, is a placeholder or a broken generator, never a random key.
        boolean oneByteRepeated = true;
        for (byte b : raw) {
            oneByteRepeated &= b == raw[0];
        }
        if (oneByteRepeated) {
            throw new IllegalArgumentException("encryption key must not be one byte repeated (such as all zeros);"
                    + " use 32 random bytes, e.g. `openssl rand -base64 32`");
        }
        this.raw = raw.clone();
        this.id = ByteBuffer.wrap(sha256(raw)).getInt();
    }

    /**
     * Wraps a raw key.
     *
     * @throws IllegalArgumentException when {@code raw} is not exactly 32 bytes, or is one byte repeated
     */
    public static EncryptionKey of(byte[] raw) {
        Objects.requireNonNull(raw, "raw");
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException(
                    "encryption key must be exactly 32 bytes (256 bits), got " + raw.length);
        }
        return new EncryptionKey(raw);
    }

    /**
     * Decodes base64 (standard or URL-safe alphabet, padding optional) of exactly 32 bytes.
     *
     * @throws IllegalArgumentException when the text is not base64, does not decode to 32 bytes, or decodes to one
     *                                  byte repeated; the message never repeats the text
     */
    public static EncryptionKey fromBase64(String encoded) {
        Objects.requireNonNull(encoded, "encoded");
        String normalized = encoded.strip().replace('-', '+').replace('_', '/');
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(normalized);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("encryption key must be base64 of exactly 32 bytes: not valid base64");
        }
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException(
                    "encryption key must be base64 of exactly 32 bytes, it decodes to " + raw.length);
        }
        return new EncryptionKey(raw);
    }

    /** The key id as a big-endian integer. */
    public int id() {
        return id;
    }

    /** The key id as eight lower-case hex digits, as stored in the control plane. */
    public String idHex() {
        return HexFormat.of().toHexDigits(id);
    }

    byte[] raw() {
        return raw.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncryptionKey key && MessageDigest.isEqual(raw, key.raw);
    }

    @Override
    public int hashCode() {
        return id;
    }

    @Override
    public String toString() {
        return "EncryptionKey[id=" + idHex() + "]";
    }

    private static byte[] sha256(byte[] raw) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(raw), 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
