package io.tenantdb.provisioning;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * A position in the newest-first tenant order: the last tenant of a page. Its text form is opaque to callers.
 *
 * @param createdAt the last tenant's creation time
 * @param id        the last tenant's id, which breaks ties
 */
public record TenantCursor(Instant createdAt, UUID id) {

    private static final String VERSION = "1";

    /** @throws NullPointerException when a component is null */
    public TenantCursor {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(id, "id");
    }

    /** The cursor after {@code tenant}. */
    public static TenantCursor after(Tenant tenant) {
        return new TenantCursor(tenant.createdAt(), tenant.id());
    }

    /** Returns the opaque text form. */
    public String encode() {
        String plain = VERSION + ":" + createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses {@link #encode()}'s output.
     *
     * @throws IllegalArgumentException when {@code text} is not a cursor
     */
    public static TenantCursor decode(String text) {
        Objects.requireNonNull(text, "text");
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":");
            if (parts.length != 4 || !parts[0].equals(VERSION)) {
                throw new IllegalArgumentException("not a tenant cursor");
            }
            return new TenantCursor(Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2])),
                    UUID.fromString(parts[3]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a tenant cursor");
        }
    }
}
