package io.tenantdb.provisioning;

import java.util.Locale;
import java.util.Optional;

/**
 * libpq's {@code sslmode}: whether and how a tenant connection uses TLS. Its wire form, as written into a stored
 * connection string ({@code ?sslmode=verify-full}), is the lower-case name with {@code -} for {@code _}.
 */
public enum SslMode {
    /** Plain TCP only. */
    DISABLE,
    /** Plain TCP first, TLS if the server insists. */
    ALLOW,
    /** TLS first, plain TCP if the server does not offer it; libpq's and pgjdbc's default. */
    PREFER,
    /** TLS only, without checking the server's certificate. */
    REQUIRE,
    /** TLS only, with a server certificate signed by a trusted CA. */
    VERIFY_CA,
    /** As {@link #VERIFY_CA}, and the certificate must name the host connected to. */
    VERIFY_FULL;

    /** Returns the libpq spelling, e.g. {@code "verify-full"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a libpq spelling exactly (lower case, no surrounding space).
     *
     * @return the mode, or empty when {@code value} is null or not one of the six spellings
     */
    public static Optional<SslMode> fromWireName(String value) {
        for (SslMode mode : values()) {
            if (mode.wireName().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
