package io.tenantdb.provisioning;

import java.util.Locale;
import java.util.Optional;

/** The deployment environment a tenant belongs to. Its wire form is the lower-case name. */
public enum Environment {
    DEVELOPMENT,
    STAGING,
    PRODUCTION;

    /** Returns the lower-case name used on the wire and in the control plane, e.g. {@code "production"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name exactly (lower case, no surrounding space).
     *
     * @return the environment, or empty when {@code value} is null or not one of the wire names
     */
    public static Optional<Environment> fromWireName(String value) {
        for (Environment environment : values()) {
            if (environment.wireName().equals(value)) {
                return Optional.of(environment);
            }
        }
        return Optional.empty();
    }
}
