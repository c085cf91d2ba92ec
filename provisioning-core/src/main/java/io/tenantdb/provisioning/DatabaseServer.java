package io.tenantdb.provisioning;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server of the registry as one API instance sees it: its settings and tenant count from the control
 * plane, its health from this instance's own recent attempts to reach it. Holds no secret (the admin connection
 * never leaves the registry), so it is safe to log and to return.
 *
 * @param name           the server's name, see {@link #nameViolation(String)}
 * @param state          whether it takes new tenants
 * @param weight         its share of new tenants relative to the other servers, 1 to {@value #MAX_WEIGHT}
 * @param maxTenants     the most tenants it may hold; empty: no limit
 * @param tenantHost     the host written into its tenants' connection strings; empty for the default server until
 *                       the host registers its endpoint
 * @param tenantPort     the port written into its tenants' connection strings; empty with {@code tenantHost}
 * @param tenants        tenants on it that are not deleted, counted in the control plane
 * @param unhealthyUntil when this instance will try it again, after it failed to answer; empty: healthy
 */
public record DatabaseServer(String name, ServerState state, int weight, Optional<Integer> maxTenants,
                             Optional<String> tenantHost, Optional<Integer> tenantPort, int tenants,
                             Optional<Instant> unhealthyUntil) {

    /** The server of the host's own admin connection, registered at start. */
    public static final String DEFAULT = "default";
    /** The largest weight. */
    public static final int MAX_WEIGHT = 1000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** @throws NullPointerException when a component is null */
    public DatabaseServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(maxTenants, "maxTenants");
        Objects.requireNonNull(tenantHost, "tenantHost");
        Objects.requireNonNull(tenantPort, "tenantPort");
        Objects.requireNonNull(unhealthyUntil, "unhealthyUntil");
    }

    /** True unless this instance recently failed to reach the server. */
    public boolean healthy() {
        return unhealthyUntil.isEmpty();
    }

    /** True when it is active and under its limit: placement may choose it. */
    public boolean hasRoom() {
        return state == ServerState.ACTIVE && maxTenants.map(max -> tenants < max).orElse(true);
    }

    /** Returns a copy with this instance's view of its health. */
    public DatabaseServer withUnhealthyUntil(Optional<Instant> until) {
        return new DatabaseServer(name, state, weight, maxTenants, tenantHost, tenantPort, tenants, until);
    }

    /**
     * Why {@code name} cannot name a server: it must be 1 to 63 characters of {@code [a-z0-9-]} starting with a
     * letter or digit. Server names are user input; they are only ever bound as values, never made identifiers.
     *
     * @return the problem, or empty when the name is acceptable
     */
    public static Optional<String> nameViolation(String name) {
        Objects.requireNonNull(name, "name");
        return NAME.matcher(name).matches() ? Optional.empty()
                : Optional.of("must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit");
    }
}
