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
     * @throws IllegalArgumentException when {@code token} is blank or shorter than {@value #MIN_TOKEN_LENGTH}
     *                                  characters (the message does not contain the token)
     */
    public BearerTokenFilter(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank() || token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException(
                    "the bearer token must be at least " + MIN_TOKEN_LENGTH + " characters and not blank");
        }
        this.expectedDigest = sha256(token);
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
