package io.tenantdb.provisioning;

import java.util.Locale;
import java.util.Optional;

/** Whether a registered PostgreSQL server takes new tenants. Its wire form is the lower-case name. */
public enum ServerState {
    /** Takes new tenants while under its capacity. */
    ACTIVE,
    /** Keeps serving its tenants and gets no new ones. */
    DRAINING;

    /** Returns the lower-case name used on the wire and in the control plane. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a lower-case wire name; empty for anything else, including null. */
    public static Optional<ServerState> fromWireName(String value) {
        for (ServerState state : values()) {
            if (state.wireName().equals(value)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
