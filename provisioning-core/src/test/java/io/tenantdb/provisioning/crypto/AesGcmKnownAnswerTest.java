package io.tenantdb.provisioning.crypto;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JDK primitive {@link AesGcmCipherService} builds on, checked against the AES-256 test cases 13–16 of
 * McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)" (also in NIST CAVP gcmEncryptExtIV256), and the
 * service itself, with the nonce fixed to the vectors' IV, against test cases 15 and 16 (13 and 14 use the all-zero
 * key, which {@link EncryptionKey} refuses).
 */
class AesGcmKnownAnswerTest {

    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest(name = "test case {0}")
    @CsvSource(delimiter = '|', value = {
            "13|0000000000000000000000000000000000000000000000000000000000000000|000000000000000000000000||"
                    + "||530f8afbc74536b9a963b4f1c4cb738b",
            "14|0000000000000000000000000000000000000000000000000000000000000000|000000000000000000000000|"
                    + "00000000000000000000000000000000||cea7403d4d606b6e074ec5d3baf39d18|"
                    + "d0d1c8a799996bf0265b98b5d48ab919",
            "15|feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308|cafebabefacedbaddecaf888|"
                    + "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                    + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255||"
                    + "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                    + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad|"
                    + "b094dac5d93471bdec1a502270e3cc6c",
            "16|feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308|cafebabefacedbaddecaf888|"
                    + "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                    + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39|"
                    + "feedfacedeadbeeffeedfacedeadbeefabaddad2|"
                    + "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                    + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662|"
                    + "76fc6ece0f4e1768cddf8853bb2d551b",
    })
    void aes256GcmMatchesTheSpecVectors(int testCase, String key, String iv, String plaintext, String aad,
                                        String ciphertext, String tag) throws Exception {
        byte[] expected = HEX.parseHex(hex(ciphertext) + hex(tag));

        Cipher encrypt = cipher(Cipher.ENCRYPT_MODE, key, iv, aad);
        assertThat(HEX.formatHex(encrypt.doFinal(HEX.parseHex(hex(plaintext)))))
                .as("test case %d", testCase).isEqualTo(HEX.formatHex(expected));

        Cipher decrypt = cipher(Cipher.DECRYPT_MODE, key, iv, aad);
        assertThat(decrypt.doFinal(expected)).isEqualTo(HEX.parseHex(hex(plaintext)));

        expected[expected.length - 1] ^= 1;
        Cipher tampered = cipher(Cipher.DECRYPT_MODE, key, iv, aad);
        assertThatThrownBy(() -> tampered.doFinal(expected)).isInstanceOf(AEADBadTagException.class);
    }

    /**
     * The service's ciphertext is the spec's, byte for byte; its header, nonce and key id sit where the format says.
     * The tag covers {@code 0x01 ‖ key id ‖ associated data}, not the vector's AAD alone, so the expected tags here
     * were computed once with the JDK for that AAD (the spec's ciphertext pins down key, nonce and counter mode).
     */
    @ParameterizedTest(name = "test case {0} through the service")
    @CsvSource(delimiter = '|', value = {
            "15|d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                    + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255||"
                    + "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                    + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad|"
                    + "ce1402a8f538fa047d5fe2ab3dc9879a",
            "16|d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                    + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39|"
                    + "feedfacedeadbeeffeedfacedeadbeefabaddad2|"
                    + "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                    + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662|"
                    + "f82b8d6c91503a6cc71181d55ac4448c",
    })
    void theServiceSealsTheSpecVectorsInTheDocumentedFormat(int testCase, String plaintext, String aad,
                                                            String ciphertext, String tag) throws Exception {
        EncryptionKey key = EncryptionKey.of(HEX.parseHex(
                "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
        byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
        AesGcmCipherService service = new AesGcmCipherService(key, List.of(), fixedNonce(iv));
        byte[] associatedData = HEX.parseHex(hex(aad));

        String sealed = service.encrypt(HEX.parseHex(plaintext), associatedData).value();

        assertThat(HEX.formatHex(Base64.getUrlDecoder().decode(sealed))).as("test case %d", testCase)
                .isEqualTo("01" + "7f70dfd8" + "cafebabefacedbaddecaf888" + ciphertext + tag);
        assertThat(key.idHex()).isEqualTo("7f70dfd8");
        assertThat(new AesGcmCipherService(key).decrypt(sealed, associatedData)).isEqualTo(HEX.parseHex(plaintext));
        byte[] tampered = Base64.getUrlDecoder().decode(sealed);
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> service.decrypt(Base64.getUrlEncoder().withoutPadding().encodeToString(tampered),
                associatedData)).isInstanceOf(AEADBadTagException.class);
    }

    /** A nonce source that always hands out {@code nonce}: for known answers only, never for real values. */
    private static SecureRandom fixedNonce(byte[] nonce) {
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                assertThat(bytes).hasSize(nonce.length);
                ByteBuffer.wrap(bytes).put(nonce);
            }
        };
    }

    private static Cipher cipher(int mode, String key, String iv, String aad) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(HEX.parseHex(key), "AES"), new GCMParameterSpec(128, HEX.parseHex(iv)));
        cipher.updateAAD(HEX.parseHex(hex(aad)));
        return cipher;
    }

    // CsvSource turns an empty column into null.
    private static String hex(String value) {
        return value == null ? "" : value;
    }
}
