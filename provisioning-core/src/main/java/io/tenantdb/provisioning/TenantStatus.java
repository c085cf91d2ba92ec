package io.tenantdb.provisioning;

import java.util.Locale;
import java.util.Optional;

/** The lifecycle state of a tenant, stored in lower case in {@code control_plane.tenants.status}. */
public enum TenantStatus {
    PROVISIONING,
    ACTIVE,
    FAILED,
    DELETING,
    DELETED;

    /** Returns the lower-case name used on the wire and in the control plane. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a lower-case wire name; empty for anything else, including null. */
    public static Optional<TenantStatus> fromWireName(String value) {
        for (TenantStatus status : values()) {
            if (status.wireName().equals(value)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
