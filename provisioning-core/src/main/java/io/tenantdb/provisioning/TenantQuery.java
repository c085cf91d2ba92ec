package io.tenantdb.provisioning;

import java.util.Objects;
import java.util.Optional;

/**
 * A page request for {@link TenantProvisioner#list}: optional filters, a page size, and the cursor of the previous
 * page. Pages are ordered newest first.
 *
 * @param environment only tenants of this environment, when present
 * @param status      only tenants in this state, when present
 * @param limit       page size, 1 to {@value #MAX_LIMIT}
 * @param after       continue after this position, from {@link TenantPage#nextCursor()}
 */
public record TenantQuery(Optional<Environment> environment, Optional<TenantStatus> status, int limit,
                          Optional<TenantCursor> after) {

    /** The largest page. */
    public static final int MAX_LIMIT = 100;

    /** @throws IllegalArgumentException when the limit is outside 1–100 */
    public TenantQuery {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(after, "after");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
        }
    }

    /** The first page of everything, {@code limit} tenants long. */
    public static TenantQuery firstPage(int limit) {
        return new TenantQuery(Optional.empty(), Optional.empty(), limit, Optional.empty());
    }
}
