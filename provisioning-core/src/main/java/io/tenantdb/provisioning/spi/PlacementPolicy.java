package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.DatabaseServer;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the server of a new tenant among those that can take it. Implementations are thread-safe and decide
 * from the given counts alone, which come from the control plane, so several API instances choose alike.
 */
@FunctionalInterface
public interface PlacementPolicy {

    /**
     * Chooses one of {@code candidates}: active servers under their limit that this instance has not found
     * unreachable, with their current tenant counts. Called again without a server that turned out not to answer
     * or to be full meanwhile.
     *
     * @param candidates never empty when called by the provisioner; by name
     * @return one of the candidates, or empty to place the tenant nowhere ({@code no-capacity})
     */
    Optional<DatabaseServer> choose(List<DatabaseServer> candidates);

    /**
     * The default: the server whose load after placing would be least, load being tenants divided by weight, that
     * is the least {@code (tenants + 1) / weight}; ties go to the greater weight, then to the first name. New tenants
     * thus spread in proportion to the weights, and a new, empty server fills up first.
     */
    static PlacementPolicy weightedLeastLoaded() {
        Comparator<DatabaseServer> byLoadAfter = (a, b) -> Long.compare(
                (a.tenants() + 1L) * b.weight(), (b.tenants() + 1L) * a.weight());
        Comparator<DatabaseServer> order = byLoadAfter
                .thenComparing(Comparator.comparingInt(DatabaseServer::weight).reversed())
                .thenComparing(DatabaseServer::name);
        return candidates -> candidates.stream().min(order);
    }
}
