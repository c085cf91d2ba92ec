package io.tenantdb.provisioning;

import java.util.Objects;
import java.util.Optional;

/**
 * A request to register a PostgreSQL server. Holds the admin URL, a secret: {@link #toString()} redacts it.
 *
 * @param name       the server's name, see {@link DatabaseServer#nameViolation(String)}
 * @param adminUrl   a {@code postgresql://} or {@code jdbc:postgresql://} URL of a role with CREATEDB and CREATEROLE
 * @param tenantHost the host tenants connect to; empty: the admin URL's host
 * @param tenantPort the port tenants connect to; empty: the admin URL's port
 * @param maxTenants the most tenants the server may hold, at least 0; empty: no limit
 * @param weight     its share of new tenants, 1 to {@value DatabaseServer#MAX_WEIGHT}; empty: 1
 */
public record ServerRegistration(String name, String adminUrl, Optional<String> tenantHost,
                                 Optional<Integer> tenantPort, Optional<Integer> maxTenants,
                                 Optional<Integer> weight) {

    /**
     * @throws NullPointerException     when a component is null
     * @throws IllegalArgumentException when the name, port, limit or weight is out of range
     */
    public ServerRegistration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(adminUrl, "adminUrl");
        Objects.requireNonNull(tenantHost, "tenantHost");
        Objects.requireNonNull(tenantPort, "tenantPort");
        Objects.requireNonNull(maxTenants, "maxTenants");
        Objects.requireNonNull(weight, "weight");
        DatabaseServer.nameViolation(name).ifPresent(problem -> {
            throw new IllegalArgumentException("server name " + problem);
        });
        if (name.equals(DatabaseServer.DEFAULT)) {
            throw new IllegalArgumentException("the default server is the host's own and registered at start");
        }
        if (tenantHost.filter(String::isBlank).isPresent() || tenantPort.filter(p -> p < 1 || p > 65535).isPresent()
                || maxTenants.filter(max -> max < 0).isPresent()
                || weight.filter(w -> w < 1 || w > DatabaseServer.MAX_WEIGHT).isPresent()) {
            throw new IllegalArgumentException("tenant host, port, limit or weight out of range");
        }
    }

    @Override
    public String toString() {
        return "ServerRegistration[name=" + name + ", adminUrl=***, tenantHost=" + tenantHost + ", tenantPort="
                + tenantPort + ", maxTenants=" + maxTenants + ", weight=" + weight + "]";
    }
}
