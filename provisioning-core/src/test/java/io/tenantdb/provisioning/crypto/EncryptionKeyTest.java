package io.tenantdb.provisioning.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncryptionKeyTest {

    // Chosen so that standard base64 contains '+' and '/', and the URL-safe form '-' and '_'.
    private static final byte[] RAW = filled(32, (byte) 0xfb, (byte) 0xff);

    @Test
    void idIsTheFirstFourBytesOfSha256OfTheRawKey() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(RAW);

        EncryptionKey key = EncryptionKey.of(RAW);

        assertThat(key.idHex()).isEqualTo(HexFormat.of().formatHex(Arrays.copyOf(digest, 4)));
        assertThat(key.id()).isEqualTo(java.nio.ByteBuffer.wrap(digest).getInt());
    }

    @Test
    void acceptsStandardAndUrlSafeBase64WithOrWithoutPadding() {
        String standard = Base64.getEncoder().encodeToString(RAW);
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(RAW);
        assertThat(standard).contains("+").contains("/").endsWith("=");
        assertThat(urlSafe).contains("-").contains("_");

        EncryptionKey expected = EncryptionKey.of(RAW);

        assertThat(EncryptionKey.fromBase64(standard)).isEqualTo(expected);
        assertThat(EncryptionKey.fromBase64(urlSafe)).isEqualTo(expected);
        assertThat(EncryptionKey.fromBase64(Base64.getUrlEncoder().encodeToString(RAW))).isEqualTo(expected);
        assertThat(EncryptionKey.fromBase64(" " + standard + "\n")).isEqualTo(expected);
    }

    @Test
    void refuses31And33ByteKeysWithoutEchoingThem() {
        for (int length : new int[] {31, 33}) {
            String encoded = Base64.getEncoder().encodeToString(filled(length, (byte) 7, (byte) 9));
            assertThatThrownBy(() -> EncryptionKey.fromBase64(encoded))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("32 bytes")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(encoded));
            assertThatThrownBy(() -> EncryptionKey.of(filled(length, (byte) 1, (byte) 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "not*base64!secret-material", "c2VjcmV0LW1hdGVyaWFs===="})
    void refusesTextThatIsNotBase64Of32BytesWithoutEchoingIt(String encoded) {
        assertThatThrownBy(() -> EncryptionKey.fromBase64(encoded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("c2Vj"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x41, 0xff})
    void refusesAKeyThatIsOneByteRepeatedWithoutEchoingIt(int value) {
        byte[] raw = new byte[EncryptionKey.LENGTH];
        Arrays.fill(raw, (byte) value);
        String encoded = Base64.getEncoder().encodeToString(raw);

        assertThatThrownBy(() -> EncryptionKey.of(raw))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one byte repeated");
        assertThatThrownBy(() -> EncryptionKey.fromBase64(encoded))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one byte repeated")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(encoded));
    }

    @Test
    void acceptsAKeyThatDiffersInItsLastByteOnly() {
        byte[] raw = new byte[EncryptionKey.LENGTH];
        raw[EncryptionKey.LENGTH - 1] = 1;

        assertThat(EncryptionKey.of(raw).idHex()).hasSize(8);
    }

    @Test
    void toStringShowsTheIdOnly() {
        EncryptionKey key = EncryptionKey.of(RAW);

        assertThat(key.toString()).contains(key.idHex())
                .doesNotContain(Base64.getEncoder().encodeToString(RAW))
                .doesNotContain(HexFormat.of().formatHex(RAW));
    }

    @Test
    void keyIsCopiedSoLaterChangesToTheArrayDoNotAffectIt() {
        byte[] raw = RAW.clone();
        EncryptionKey key = EncryptionKey.of(raw);
        raw[0] ^= 1;

        assertThat(key).isEqualTo(EncryptionKey.of(RAW)).isNotEqualTo(EncryptionKey.of(raw));
    }

    private static byte[] filled(int length, byte even, byte odd) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = i % 2 == 0 ? even : odd;
        }
        return bytes;
    }
}
