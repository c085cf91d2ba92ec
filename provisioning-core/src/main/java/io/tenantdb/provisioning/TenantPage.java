package io.tenantdb.provisioning;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of tenants, newest first.
 *
 * @param tenants    at most the query's limit
 * @param nextCursor where the next page starts; empty on the last page
 */
public record TenantPage(List<Tenant> tenants, Optional<TenantCursor> nextCursor) {

    /** Copies the list. */
    public TenantPage {
        tenants = List.copyOf(tenants);
        Objects.requireNonNull(nextCursor, "nextCursor");
    }
}
