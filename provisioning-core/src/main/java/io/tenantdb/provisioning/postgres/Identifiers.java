package io.tenantdb.provisioning.postgres;

import java.util.regex.Pattern;

/** Checks and quotes SQL identifiers. Only names of the form the provisioner generates are accepted. */
final class Identifiers {

    private static final Pattern SAFE = Pattern.compile("[a-z0-9_]{1,63}");

    private Identifiers() {
    }

    /**
     * Returns {@code name} double-quoted.
     *
     * @throws IllegalArgumentException unless {@code name} matches {@code ^[a-z0-9_]{1,63}$}
     */
    static String quote(String name) {
        if (name == null || !SAFE.matcher(name).matches()) {
            throw new IllegalArgumentException("identifier must match [a-z0-9_]{1,63}");
        }
        return '"' + name + '"';
    }
}
