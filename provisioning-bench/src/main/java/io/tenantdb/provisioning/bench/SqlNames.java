package io.tenantdb.provisioning.bench;

import java.util.UUID;
import java.util.regex.Pattern;

/** Names of the objects the bench creates itself; never derived from input. */
final class SqlNames {

    /** Databases and roles of the floor (a). */
    static final String FLOOR_PREFIX = "bench_floor_";

    private static final Pattern SAFE = Pattern.compile("[a-z0-9_]{1,63}");

    private SqlNames() {
    }

    /** {@code prefix} + the id with {@code -} turned into {@code _}, as the provisioner names its databases. */
    static String name(String prefix, UUID id) {
        return prefix + id.toString().replace('-', '_');
    }

    /**
     * Double-quotes an identifier after checking it is one the bench or the provisioner generated.
     *
     * @throws IllegalArgumentException for anything but {@code [a-z0-9_]{1,63}}
     */
    static String quote(String identifier) {
        if (!SAFE.matcher(identifier).matches()) {
            throw new IllegalArgumentException("not a generated identifier");
        }
        return '"' + identifier + '"';
    }
}
