package io.tenantdb.provisioning.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Optional;

/**
 * Lets a request through only when it carries {@code Authorization: Bearer <token>} with the configured token;
 * otherwise answers {@code 401} with {@code WWW-Authenticate: Bearer realm="tenantdb"} and a problem body. Mount
 * it at {@code /api/v1/*}.
 *
 * <p>The comparison is over SHA-256 digests with {@link MessageDigest#isEqual}, so its time reveals neither the
 * token's content nor its length. The token is never logged. Thread-safe and immutable.
 */
public final class BearerTokenFilter implements Filter {

    /** The shortest token accepted: shorter ones are guessable. */
    public static final int MIN_TOKEN_LENGTH = 16;

    static final String CHALLENGE = "Bearer realm=\"tenantdb\"";

    private static final String SCHEME = "Bearer";

    private final byte[] expectedDigest;

    /**
     * @param token the shared secret clients present
     * @throws NullPointerException     when {@code token} is null
     * @throws IllegalArgumentException when {@link #weakness(String)} finds the token weak (the message says why and
     *                                  does not contain the token)
     */
    public BearerTokenFilter(String token) {
        Objects.requireNonNull(token, "token");
        weakness(token).ifPresent(problem -> {
            throw new IllegalArgumentException("the bearer token " + problem);
        });
        this.expectedDigest = sha256(token);
    }

    /**
     * Why a token is too weak to guard the API, phrased to follow its name ("must be at least 16 characters, it has
     * 5"); empty when it is fit: at least {@value #MIN_TOKEN_LENGTH} characters, visible ASCII only (it travels as a
     * header value), and not one character repeated. Never repeats the token.
     */
    public static Optional<String> weakness(String token) {
        Objects.requireNonNull(token, "token");
        if (token.length() < MIN_TOKEN_LENGTH) {
            return Optional.of("must be at least " + MIN_TOKEN_LENGTH + " characters, it has " + token.length());
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return Optional.of("must consist of visible ASCII characters only (no spaces)");
        }
        if (token.chars().distinct().count() == 1) {
            return Optional.of("must not be one character repeated; use a random token, e.g. "
                    + "`openssl rand -base64 32`");
        }
        return Optional.empty();
    }

    /**
     * @throws ServletException when the request is not an HTTP request
     */
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
            throw new ServletException("BearerTokenFilter serves HTTP requests only");
        }
        if (authorizes(http.getHeader("Authorization"))) {
            chain.doFilter(request, response);
            return;
        }
        ServletResponses.write(httpResponse, unauthorized(), http.getMethod());
    }

    /** True when an {@code Authorization} header value carries the configured bearer token. */
    boolean authorizes(String authorization) {
        if (authorization == null) {
            return false;
        }
        // RFC 9110: the scheme is case-insensitive and separated from the credentials by spaces.
        int space = authorization.indexOf(' ');
        if (space != SCHEME.length() || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        String presented = authorization.substring(space + 1).strip();
        return !presented.isEmpty() && MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    static ApiResponse unauthorized() {
        return ProblemMapper.problem(ProblemType.UNAUTHORIZED,
                        "Send a valid token as Authorization: Bearer <token>.")
                .withHeader("WWW-Authenticate", CHALLENGE);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException(e);
        }
    }
}
