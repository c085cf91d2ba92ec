package io.tenantdb.provisioning.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Writes one line per request once it is answered: {@code method=POST path=/api/v1/tenants status=201
 * duration_ms=143}. The path is the request URI without its query string; no header is ever logged, so neither is
 * the {@code Authorization} token, and no body. Characters outside visible ASCII become {@code ?} and the path is
 * cut at {@value #MAX_PATH_LENGTH} characters, so a client cannot forge or flood log lines. Mount it first, at
 * {@code /*}, so it also sees the requests the bearer-token filter refuses.
 *
 * <p>By default the lines go to the {@code System.Logger} named {@value #LOGGER} at INFO. Thread-safe and
 * immutable.
 */
public final class AccessLogFilter implements Filter {

    /** The logger of the default constructor. */
    public static final String LOGGER = "tenantdb.access";

    /** The longest path logged; longer ones are cut and end with {@code …}. */
    public static final int MAX_PATH_LENGTH = 256;

    private static final Logger LOG = System.getLogger(LOGGER);

    private final Consumer<String> sink;

    /** Logs to {@value #LOGGER} at INFO. */
    public AccessLogFilter() {
        this(line -> LOG.log(Level.INFO, line));
    }

    /**
     * @param sink receives each line; called on the request's thread, so it must be thread-safe
     * @throws NullPointerException when {@code sink} is null
     */
    public AccessLogFilter(Consumer<String> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
            chain.doFilter(request, response);
            return;
        }
        long started = System.nanoTime();
        boolean failed = true;
        try {
            chain.doFilter(request, response);
            failed = false;
        } finally {
            // An exception leaving the chain becomes a 500 from the container unless a response was already sent.
            int status = failed && !httpResponse.isCommitted() ? 500 : httpResponse.getStatus();
            sink.accept(line(http.getMethod(), http.getRequestURI(), status, System.nanoTime() - started));
        }
    }

    static String line(String method, String path, int status, long elapsedNanos) {
        return "method=" + visible(method, 16) + " path=" + visible(path, MAX_PATH_LENGTH) + " status=" + status
                + " duration_ms=" + elapsedNanos / 1_000_000;
    }

    private static String visible(String text, int max) {
        if (text == null || text.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max + 1));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        if (text.length() > max) {
            out.append('…');
        }
        return out.toString();
    }
}
