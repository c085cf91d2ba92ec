package io.tenantdb.provisioning.crypto;

import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AesGcmCipherServiceTest {

    private static final byte[] RAW_KEY = sequence(32, 1);
    private static final byte[] OTHER_RAW_KEY = sequence(32, 101);
    private static final String TENANT = "3f1c2b7e-9d4a-4c61-8e2f-0a1b2c3d4e5f";
    private static final byte[] PLAINTEXT =
            "postgresql://car_x:pa%2Fss@db.example.com:5432/car_x".getBytes(StandardCharsets.UTF_8);

    private final AesGcmCipherService service = new AesGcmCipherService(EncryptionKey.of(RAW_KEY));

    @Test
    void sealedValueHasTheDocumentedLayoutAndDecryptsWithTheRawPrimitive() throws Exception {
        SealedValue sealed = service.encrypt(PLAINTEXT, tenant(TENANT));

        assertThat(sealed.value()).doesNotContain("=").doesNotContain("+").doesNotContain("/");
        byte[] bytes = Base64.getUrlDecoder().decode(sealed.value());
        byte[] keyId = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(RAW_KEY), 4);
        assertThat(bytes).hasSize(1 + 4 + 12 + PLAINTEXT.length + 16);
        assertThat(bytes[0]).isEqualTo((byte) 0x01);
        assertThat(Arrays.copyOfRange(bytes, 1, 5)).isEqualTo(keyId);
        assertThat(sealed.keyId()).isEqualTo(HexFormat.of().formatHex(keyId));

        byte[] nonce = Arrays.copyOfRange(bytes, 5, 17);
        ByteArrayOutputStream aad = new ByteArrayOutputStream();
        aad.write(0x01);
        aad.write(keyId);
        aad.write(TENANT.getBytes(StandardCharsets.UTF_8));
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(RAW_KEY, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad.toByteArray());
        assertThat(cipher.doFinal(bytes, 17, bytes.length - 17)).isEqualTo(PLAINTEXT);
    }

    @Test
    void roundTripsAndKeepsThePlaintextOutOfTheValue() throws Exception {
        SealedValue sealed = service.encrypt(PLAINTEXT, tenant(TENANT));

        assertThat(sealed.value()).doesNotContain("postgresql").doesNotContain("car_x");
        assertThat(service.decrypt(sealed.value(), tenant(TENANT))).isEqualTo(PLAINTEXT);
    }

    @Test
    void roundTripsEmptyPlaintext() throws Exception {
        SealedValue sealed = service.encrypt(new byte[0], tenant(TENANT));

        assertThat(Base64.getUrlDecoder().decode(sealed.value())).hasSize(1 + 4 + 12 + 16);
        assertThat(service.decrypt(sealed.value(), tenant(TENANT))).isEmpty();
    }

    @Test
    void flippingAnySingleByteOfTheDecodedValueFailsDecryption() throws Exception {
        byte[] bytes = Base64.getUrlDecoder().decode(service.encrypt(PLAINTEXT, tenant(TENANT)).value());

        for (int i = 0; i < bytes.length; i++) {
            byte[] tampered = bytes.clone();
            tampered[i] ^= 0x01;
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);
            int index = i;
            assertThatThrownBy(() -> service.decrypt(value, tenant(TENANT)))
                    .as("byte %d flipped", index)
                    .isInstanceOf(GeneralSecurityException.class);
        }
    }

    @Test
    void valueMovedToAnotherTenantFailsDecryption() throws Exception {
        SealedValue sealed = service.encrypt(PLAINTEXT, tenant(TENANT));

        assertThatThrownBy(() -> service.decrypt(sealed.value(), tenant(UUID.randomUUID().toString())))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> service.decrypt(sealed.value(), tenant(TENANT.toUpperCase())))
                .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void wrongKeyFailsDecryption() throws Exception {
        SealedValue sealed = service.encrypt(PLAINTEXT, tenant(TENANT));
        AesGcmCipherService other = new AesGcmCipherService(EncryptionKey.of(OTHER_RAW_KEY));

        assertThatThrownBy(() -> other.decrypt(sealed.value(), tenant(TENANT)))
                .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void truncatedOrMalformedValuesFailDecryption() throws Exception {
        String value = service.encrypt(PLAINTEXT, tenant(TENANT)).value();

        for (String bad : List.of("", "AQ", value.substring(0, 40), value + "A", "not base64!", "fake.x.y")) {
            assertThatThrownBy(() -> service.decrypt(bad, tenant(TENANT))).isInstanceOf(GeneralSecurityException.class);
        }
    }

    @Test
    void previousKeysDecryptButOnlyThePrimaryEncrypts() throws Exception {
        EncryptionKey oldKey = EncryptionKey.of(RAW_KEY);
        EncryptionKey newKey = EncryptionKey.of(OTHER_RAW_KEY);
        SealedValue oldValue = service.encrypt(PLAINTEXT, tenant(TENANT));
        AesGcmCipherService rotated = new AesGcmCipherService(newKey, List.of(oldKey));

        assertThat(rotated.decrypt(oldValue.value(), tenant(TENANT))).isEqualTo(PLAINTEXT);
        SealedValue newValue = rotated.encrypt(PLAINTEXT, tenant(TENANT));
        assertThat(newValue.keyId()).isEqualTo(newKey.idHex()).isNotEqualTo(oldKey.idHex());
        assertThat(ByteBuffer.wrap(Base64.getUrlDecoder().decode(newValue.value()), 1, 4).getInt())
                .isEqualTo(newKey.id());
        assertThat(rotated.primaryKey()).isEqualTo(newKey);
        assertThatThrownBy(() -> service.decrypt(newValue.value(), tenant(TENANT)))
                .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void twoDifferentKeysWithTheSameIdAreRefusedAndTheSameKeyTwiceIsNot() throws Exception {
        EncryptionKey[] clash = twoKeysWithOneId();
        assertThat(clash[0]).isNotEqualTo(clash[1]);
        assertThat(clash[0].id()).isEqualTo(clash[1].id());

        assertThatThrownBy(() -> new AesGcmCipherService(clash[0], List.of(clash[1])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(clash[0].idHex());
        assertThatThrownBy(() -> new AesGcmCipherService(EncryptionKey.of(RAW_KEY), List.of(clash[0], clash[1])))
                .isInstanceOf(IllegalArgumentException.class);
        AesGcmCipherService same = new AesGcmCipherService(clash[0], List.of(clash[0]));
        assertThat(same.decrypt(same.encrypt(PLAINTEXT, tenant(TENANT)).value(), tenant(TENANT))).isEqualTo(PLAINTEXT);
    }

    /**
     * Two different raw keys whose 4-byte ids (the first bytes of their SHA-256) are equal: a birthday search over
     * counter-made keys, deterministic, which finds one after some 2^16 digests.
     */
    private static EncryptionKey[] twoKeysWithOneId() throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();
        for (int counter = 0; ; counter++) {
            byte[] raw = counterKey(counter);
            int id = ByteBuffer.wrap(sha256.digest(raw), 0, 4).getInt();
            Integer earlier = seen.putIfAbsent(id, counter);
            if (earlier != null) {
                return new EncryptionKey[] {EncryptionKey.of(counterKey(earlier)), EncryptionKey.of(raw)};
            }
        }
    }

    private static byte[] counterKey(int counter) {
        byte[] raw = sequence(32, 7);
        ByteBuffer.wrap(raw).putInt(counter);
        return raw;
    }

    @Test
    void twoEncryptionsOfTheSameInputDiffer() throws Exception {
        String first = service.encrypt(PLAINTEXT, tenant(TENANT)).value();
        String second = service.encrypt(PLAINTEXT, tenant(TENANT)).value();

        assertThat(first).isNotEqualTo(second);
        byte[] a = Base64.getUrlDecoder().decode(first);
        byte[] b = Base64.getUrlDecoder().decode(second);
        assertThat(Arrays.copyOfRange(a, 5, 17)).isNotEqualTo(Arrays.copyOfRange(b, 5, 17));
    }

    @Test
    void nullArgumentsAreRefused() {
        assertThatThrownBy(() -> service.encrypt(null, tenant(TENANT))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> service.decrypt(null, tenant(TENANT))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AesGcmCipherService(null)).isInstanceOf(NullPointerException.class);
    }

    private static byte[] tenant(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sequence(int length, int start) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (start + i);
        }
        return bytes;
    }
}
