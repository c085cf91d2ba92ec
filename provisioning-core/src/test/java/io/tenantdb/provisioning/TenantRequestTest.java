package io.tenantdb.provisioning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantRequestTest {

    private static final String EMOJI = "\uD83D\uDE80"; // one code point, two UTF-16 chars

    @ParameterizedTest
    @ValueSource(strings = {"Acme", "a", "Café Müller GmbH", "東京テナント", "Rocket " + EMOJI, "  padded  "})
    void acceptsOrdinaryNames(String name) {
        assertThat(TenantRequest.nameViolation(name)).isEmpty();
        assertThat(new TenantRequest(name, Environment.STAGING).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "   ", "\u3000", "\u2003 ", "\u00a0", "\u00a0\u2003", "\u200b", "\ufeff \u2060"})
    void refusesBlankNames(String name) {
        assertThat(TenantRequest.nameViolation(name)).contains("must not be blank");
        assertThatThrownBy(() -> new TenantRequest(name, Environment.PRODUCTION))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank");
    }

    @Test
    void refusesEmptyName() {
        assertThat(TenantRequest.nameViolation("")).contains("must be 1 to 255 characters long");
        assertThatThrownBy(() -> new TenantRequest("", Environment.PRODUCTION))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accepts255CodePointsAndRefuses256() {
        assertThat(TenantRequest.nameViolation("a".repeat(255))).isEmpty();
        assertThat(TenantRequest.nameViolation("a".repeat(256))).contains("must be 1 to 255 characters long");
    }

    @Test
    void countsLengthInCodePointsNotUtf16Chars() {
        // 255 emoji are 510 chars: still within the limit because the limit is on code points.
        assertThat(TenantRequest.nameViolation(EMOJI.repeat(255))).isEmpty();
        assertThat(TenantRequest.nameViolation(EMOJI.repeat(256))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "line\nbreak", "tab\there", "bell\u0007", "del\u007f", "c1\u0085",
            "sep\u2028", "para\u2029"})
    void refusesControlCharacters(String name) {
        assertThat(TenantRequest.nameViolation(name)).contains("must not contain control characters");
        assertThatThrownBy(() -> new TenantRequest(name, Environment.PRODUCTION))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil\u202Etxt.exe", "lre\u202A", "pdf\u202C", "isolate\u2066x\u2069"})
    void refusesBidiOverridesAndIsolates(String name) {
        assertThat(TenantRequest.nameViolation(name)).isPresent();
    }

    @Test
    void refusesUnpairedSurrogate() {
        assertThat(TenantRequest.nameViolation("broken\uD83D")).isPresent();
    }

    @Test
    void nullNameOrEnvironmentIsNullPointerException() {
        assertThatThrownBy(() -> new TenantRequest(null, Environment.PRODUCTION))
                .isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> new TenantRequest("Acme", null))
                .isInstanceOf(NullPointerException.class).hasMessage("environment");
        assertThat(TenantRequest.nameViolation(null)).contains("is required");
    }
}
