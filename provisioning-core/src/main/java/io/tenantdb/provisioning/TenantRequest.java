package io.tenantdb.provisioning;

import java.util.Objects;
import java.util.Optional;

/**
 * A request to provision a tenant.
 *
 * @param name        the tenant's display name: 1–255 characters, not blank, no control characters
 * @param environment the environment the tenant belongs to
 */
public record TenantRequest(String name, Environment environment) {

    /** The longest name accepted, counted in Unicode code points. */
    public static final int MAX_NAME_LENGTH = 255;

    /**
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when {@code name} breaks the rules returned by {@link #nameViolation}
     */
    public TenantRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(environment, "environment");
        nameViolation(name).ifPresent(message -> {
            throw new IllegalArgumentException("name " + message);
        });
    }

    /**
     * Checks a candidate name without constructing a request, so adapters can report field errors.
     *
     * @return why the name is refused (a phrase such as {@code "must not be blank"}), or empty when it is acceptable
     */
    public static Optional<String> nameViolation(String name) {
        if (name == null) {
            return Optional.of("is required");
        }
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_NAME_LENGTH) {
            return Optional.of("must be 1 to " + MAX_NAME_LENGTH + " characters long");
        }
        if (name.codePoints().allMatch(TenantRequest::isInvisible)) {
            return Optional.of("must not be blank");
        }
        if (name.codePoints().anyMatch(TenantRequest::isForbidden)) {
            return Optional.of("must not contain control characters");
        }
        return Optional.empty();
    }

    // Blank means nothing visible: whitespace, no-break and other space separators, and zero-width format characters.
    private static boolean isInvisible(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)
                || Character.getType(codePoint) == Character.FORMAT;
    }

    // Besides C0/C1 controls: line separators and bidi overrides (they disguise names in lists and logs),
    // and unpaired surrogates, which cannot be stored as UTF-8.
    private static boolean isForbidden(int codePoint) {
        return Character.isISOControl(codePoint)
                || codePoint == 0x2028 || codePoint == 0x2029
                || codePoint >= 0x202A && codePoint <= 0x202E
                || codePoint >= 0x2066 && codePoint <= 0x2069
                || Character.getType(codePoint) == Character.SURROGATE;
    }
}
