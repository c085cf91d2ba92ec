package io.tenantdb.provisioning.postgres;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The comment that proves a database or role was made by one control plane for one tenant:
 * {@code tenantdb:<control plane id>:<tenant id>}. Several control planes may share a cluster and a name prefix;
 * each one drops only objects that carry its own id.
 *
 * @param controlPlaneId the control plane that made the object, see {@link JdbcTenantStore#controlPlaneId()}
 * @param tenantId       the tenant it was made for
 */
public record OwnershipMark(UUID controlPlaneId, UUID tenantId) {

    private static final String PREFIX = "tenantdb:";
    private static final int UUID_LENGTH = 36;

    /** @throws NullPointerException when an id is null */
    public OwnershipMark {
        Objects.requireNonNull(controlPlaneId, "controlPlaneId");
        Objects.requireNonNull(tenantId, "tenantId");
    }

    /** The comment text, made of two UUIDs only: safe to embed in a SQL string literal. */
    public String comment() {
        return PREFIX + controlPlaneId + ":" + tenantId;
    }

    /**
     * Reads a comment written by {@link #comment()}.
     *
     * @return the mark, or empty for any other text (including null and the legacy form)
     */
    public static Optional<OwnershipMark> parse(String comment) {
        if (comment == null || comment.length() != PREFIX.length() + 2 * UUID_LENGTH + 1 || !comment.startsWith(PREFIX)
                || comment.charAt(PREFIX.length() + UUID_LENGTH) != ':') {
            return Optional.empty();
        }
        try {
            UUID controlPlane = UUID.fromString(comment.substring(PREFIX.length(), PREFIX.length() + UUID_LENGTH));
            UUID tenant = UUID.fromString(comment.substring(PREFIX.length() + UUID_LENGTH + 1));
            OwnershipMark mark = new OwnershipMark(controlPlane, tenant);
            // UUID.fromString accepts non-canonical spellings; only the exact text we write counts.
            return mark.comment().equals(comment) ? Optional.of(mark) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * True for the comment of earlier versions, {@code tenantdb:<tenant id>}, which names no control plane. Such an
     * object is adopted only by a control plane whose tables hold that tenant.
     */
    static boolean isLegacyFor(String comment, UUID tenantId) {
        return (PREFIX + tenantId).equals(comment);
    }

    /** Whose an object named for {@code tenantId} and commented {@code comment} is, seen from one control plane. */
    static Claim claim(String comment, UUID controlPlaneId, UUID tenantId) {
        if (isLegacyFor(comment, tenantId)) {
            return Claim.LEGACY;
        }
        return parse(comment).filter(mark -> mark.equals(new OwnershipMark(controlPlaneId, tenantId)))
                .map(mark -> Claim.OURS).orElse(Claim.NONE);
    }

    /** How an object relates to one control plane. */
    enum Claim {
        /** Marked with this control plane's id and the tenant its name says. */
        OURS,
        /** Marked the way earlier versions did: ours only if this control plane's tables hold the tenant. */
        LEGACY,
        /** Another control plane's, or nobody's: never touched. */
        NONE
    }
}
