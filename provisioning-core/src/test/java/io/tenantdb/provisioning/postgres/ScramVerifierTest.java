package io.tenantdb.provisioning.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ScramVerifier} against the SCRAM-SHA-256 exchange of RFC 7677, section 3 (user {@code user}, password
 * {@code pencil}). The RFC gives the client's proof and the server's signature, not the stored keys, so the test
 * checks the verifier the way a server uses it: the proof must recover a ClientKey whose SHA-256 is the StoredKey,
 * and the ServerKey must sign the exchange exactly as the RFC's server did.
 */
class ScramVerifierTest {

    static final String RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private static final String CLIENT_FIRST_BARE = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL_WITHOUT_PROOF =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    @Test
    void theVerifierOfPencilAcceptsTheRfc7677ExchangeAndSignsItAsTheRfcServerDid() throws Exception {
        String verifier = ScramVerifier.of("pencil", 4096, fixedSalt(Base64.getDecoder().decode(RFC_SALT)));

        assertThat(verifier).startsWith("SCRAM-SHA-256$4096:" + RFC_SALT + "$");
        String[] keys = verifier.substring(verifier.lastIndexOf('$') + 1).split(":");
        byte[] storedKey = Base64.getDecoder().decode(keys[0]);
        byte[] serverKey = Base64.getDecoder().decode(keys[1]);
        byte[] authMessage = (CLIENT_FIRST_BARE + "," + SERVER_FIRST + "," + CLIENT_FINAL_WITHOUT_PROOF)
                .getBytes(StandardCharsets.US_ASCII);

        byte[] clientSignature = hmac(storedKey, authMessage);
        byte[] clientKey = Base64.getDecoder().decode(CLIENT_PROOF);
        for (int i = 0; i < clientKey.length; i++) {
            clientKey[i] ^= clientSignature[i];
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).as("H(ClientKey) = StoredKey")
                .isEqualTo(storedKey);
        assertThat(Base64.getEncoder().encodeToString(hmac(serverKey, authMessage))).as("ServerSignature")
                .isEqualTo(SERVER_SIGNATURE);
    }

    @Test
    void anotherPasswordWithTheSameSaltGivesAnotherVerifier() {
        byte[] salt = Base64.getDecoder().decode(RFC_SALT);

        assertThat(ScramVerifier.of("pencil", 4096, fixedSalt(salt)))
                .isNotEqualTo(ScramVerifier.of("pencim", 4096, fixedSalt(salt)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"with space", "tab\t", "new\nline", "caf\u00e9"})
    void passwordsOutsidePrintableAsciiAreRefusedBecauseSaslPrepWouldChangeThem(String password) {
        assertThatThrownBy(() -> ScramVerifier.of(password, 64, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A random source that hands out {@code salt} as the next 16 bytes: the verifier's salt. */
    static SecureRandom fixedSalt(byte[] salt) {
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                assertThat(bytes).hasSize(salt.length);
                ByteBuffer.wrap(bytes).put(salt);
            }
        };
    }

    private static byte[] hmac(byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message);
    }
}
