package io.tenantdb.provisioning.postgres;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Computes a PostgreSQL SCRAM-SHA-256 password verifier (RFC 5802/7677) on the client, so {@code CREATE ROLE}
 * carries the verifier and never the password: statement logging on the server cannot reveal it.
 */
final class ScramVerifier {

    private static final int SALT_LENGTH = 16;

    private ScramVerifier() {
    }

    /**
     * @param password   ASCII only (SASLprep is then the identity), as the generated passwords are
     * @param iterations the PBKDF2 iteration count, at least 1
     * @return {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}
     */
    static String of(String password, int iterations, SecureRandom random) {
        if (!password.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("password must be printable ASCII");
        }
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        try {
            SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] saltedPassword = pbkdf2.generateSecret(
                    new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
            byte[] clientKey = hmac(saltedPassword, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] serverKey = hmac(saltedPassword, "Server Key");
            Base64.Encoder base64 = Base64.getEncoder();
            return "SCRAM-SHA-256$" + iterations + ":" + base64.encodeToString(salt) + "$"
                    + base64.encodeToString(storedKey) + ":" + base64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "PBKDF2WithHmacSHA256 and HmacSHA256 are required of every Java platform", e);
        }
    }

    private static byte[] hmac(byte[] key, String message) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
