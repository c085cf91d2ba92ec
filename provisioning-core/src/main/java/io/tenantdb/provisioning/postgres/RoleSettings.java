package io.tenantdb.provisioning.postgres;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configuration parameters set on each new tenant role ({@code ALTER ROLE … SET name = 'value'}), in the order
 * given. Names are checked against a strict pattern; values are sent as escaped string literals. Not thread-safe
 * while {@link PostgresDatabaseCreator.Builder} fills it; the creator keeps its own copy.
 */
final class RoleSettings {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.]{0,62}");

    private final Map<String, String> settings;

    RoleSettings() {
        this.settings = new LinkedHashMap<>();
    }

    private RoleSettings(RoleSettings source) {
        this.settings = new LinkedHashMap<>(source.settings);
    }

    /**
     * Adds or replaces a setting.
     *
     * @throws IllegalArgumentException unless {@code name} matches {@code [a-z_][a-z0-9_.]{0,62}}, or when
     *                                  {@code value} contains a NUL character, which no PostgreSQL text can hold
     */
    void put(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("role setting name must match " + NAME.pattern());
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("role setting value must not contain NUL");
        }
        settings.put(name, value);
    }

    RoleSettings copy() {
        return new RoleSettings(this);
    }

    /** Returns {@code "; ALTER ROLE role SET name = E'value'"} for each setting, to follow a statement. */
    String alterStatements(String quotedRole) {
        StringBuilder sql = new StringBuilder();
        settings.forEach((name, value) -> sql.append("; ALTER ROLE ").append(quotedRole).append(" SET ")
                .append(name).append(" = ").append(literal(value)));
        return sql.toString();
    }

    /** An escape-string literal, read the same whatever {@code standard_conforming_strings} says. */
    static String literal(String value) {
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
