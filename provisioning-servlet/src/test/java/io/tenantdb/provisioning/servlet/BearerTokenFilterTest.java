package io.tenantdb.provisioning.servlet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BearerTokenFilterTest {

    private static final String TOKEN = "s3cr3t-token-0123456789";

    private final BearerTokenFilter filter = new BearerTokenFilter(TOKEN);

    @ParameterizedTest
    @ValueSource(strings = {"Bearer " + TOKEN, "bearer " + TOKEN, "BEARER " + TOKEN, "Bearer   " + TOKEN + " "})
    void theConfiguredTokenIsAccepted(String header) {
        assertThat(filter.authorizes(header)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer", "Bearer ", "Bearer x", "Bearer " + TOKEN + "x",
            "Bearer s3cr3t-token-012345678", "Basic " + TOKEN, "Token " + TOKEN, TOKEN, "Bearer" + TOKEN,
            "Bearer\t" + TOKEN, " Bearer " + TOKEN, "Bearer S3CR3T-TOKEN-0123456789"})
    void anythingElseIsRefused(String header) {
        assertThat(filter.authorizes(header)).isFalse();
    }

    @Test
    void aMissingHeaderIsRefused() {
        assertThat(filter.authorizes(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "fifteen-chars!!"})
    void shortTokensAreRefusedWithoutEchoingThem(String token) {
        assertThatThrownBy(() -> new BearerTokenFilter(token))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the bearer token must be at least 16 characters, it has " + token.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"                    ", "sixteen chars ok", "sixteen-chars-\u00e9k"})
    void tokensWithSpacesOrBeyondVisibleAsciiAreRefused(String token) {
        assertThatThrownBy(() -> new BearerTokenFilter(token))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the bearer token must consist of visible ASCII characters only (no spaces)");
    }

    @Test
    void oneCharacterRepeatedIsRefused() {
        assertThat(BearerTokenFilter.weakness("a".repeat(32))).hasValueSatisfying(
                problem -> assertThat(problem).startsWith("must not be one character repeated"));
    }

    @Test
    void aNullTokenIsRefused() {
        assertThatThrownBy(() -> new BearerTokenFilter(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void sixteenCharactersAreEnough() {
        assertThat(new BearerTokenFilter("0123456789abcdef").authorizes("Bearer 0123456789abcdef")).isTrue();
    }

    @Test
    void theRefusalIsAProblemWithABearerChallenge() throws Exception {
        ApiResponse refusal = BearerTokenFilter.unauthorized();

        HandlerAssertions.assertProblem(refusal, 401, "unauthorized", "Unauthorized");
        assertThat(refusal.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"tenantdb\"");
    }
}
