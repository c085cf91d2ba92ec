package io.tenantdb.provisioning;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A change to a registered server; each empty component is left as it is.
 *
 * @param state      drain the server or make it active again
 * @param weight     a new weight, 1 to {@value DatabaseServer#MAX_WEIGHT}
 * @param maxTenants a new limit: an empty {@link OptionalInt} removes the limit; lowering it under the current count
 *                   moves no tenant, it only stops new ones
 */
public record ServerChange(Optional<ServerState> state, Optional<Integer> weight,
                           Optional<OptionalInt> maxTenants) {

    /**
     * @throws NullPointerException     when a component is null
     * @throws IllegalArgumentException when the weight or the limit is out of range
     */
    public ServerChange {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(maxTenants, "maxTenants");
        if (weight.filter(w -> w < 1 || w > DatabaseServer.MAX_WEIGHT).isPresent()
                || maxTenants.filter(max -> max.isPresent() && max.getAsInt() < 0).isPresent()) {
            throw new IllegalArgumentException("weight or limit out of range");
        }
    }
}
