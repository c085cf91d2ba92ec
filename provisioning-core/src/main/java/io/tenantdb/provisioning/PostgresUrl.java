package io.tenantdb.provisioning;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The library's one reader and writer of PostgreSQL connection URLs: libpq URIs
 * ({@code postgresql://user:password@host:port/database?param=value}, also {@code postgres://}) and pgjdbc URLs
 * ({@code jdbc:postgresql://host:port/database?user=…&password=…}). User, password, database and parameters are
 * percent-decoded; {@code +} stays a plus sign; {@code user} and {@code password} query parameters fill in what the
 * authority leaves out. One host, or several separated by commas ({@code host1:5432,host2:5433}, libpq's and
 * pgjdbc's multi-host form, tried in order; with {@code targetServerType=primary} or libpq's
 * {@code target_session_attrs=read-write} the driver picks the primary). Error messages name the problem and never
 * repeat the input, which may hold a password. Immutable; {@link #toString()} redacts the password.
 *
 * @param scheme     how the URL was written
 * @param hosts      the hosts in the order given, at least one
 * @param database   the database, empty when the URL names none
 * @param user       the user, when the URL names one
 * @param password   the password, when the URL holds one
 * @param parameters the other query parameters, in order
 */
public record PostgresUrl(Scheme scheme, List<Host> hosts, String database, Optional<String> user,
                          Optional<String> password, Map<String, String> parameters) {

    /** PostgreSQL's port when a URL names none. */
    public static final int DEFAULT_PORT = 5432;

    /** Copies the parameters. */
    public PostgresUrl {
        Objects.requireNonNull(scheme, "scheme");
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("has no host");
        }
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * One host of a URL.
     *
     * @param host host name or IP literal (IPv6 without brackets)
     * @param port the port, when the URL names one
     */
    public record Host(String host, Optional<Integer> port) {

        /** @throws NullPointerException when a component is null */
        public Host {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(port, "port");
        }

        /** {@code host:port}, the port defaulting to 5432. */
        public String hostAndPort() {
            return PostgresUrl.hostAndPort(host, port.orElse(DEFAULT_PORT));
        }
    }

    /** The first host: the only one of a single-host URL. */
    public String host() {
        return hosts.get(0).host();
    }

    /** The first host's port, when the URL names one. */
    public Optional<Integer> port() {
        return hosts.get(0).port();
    }

    /** The database, or libpq's default when the URL names none: the user name. */
    public String databaseOrUser() {
        return database.isEmpty() ? user.orElse("") : database;
    }

    /**
     * A pgjdbc URL of every host and {@link #databaseOrUser()}, without credentials or parameters; pass those as
     * {@link #jdbcProperties()}, the user and the password.
     */
    public String jdbcUrl() {
        return jdbcUrl(hosts, databaseOrUser());
    }

    /** A pgjdbc URL of these hosts, tried in order, and the database, without credentials or parameters. */
    public static String jdbcUrl(List<Host> hosts, String database) {
        return Scheme.JDBC.prefix + hosts.stream().map(Host::hostAndPort).collect(Collectors.joining(","))
                + "/" + encode(database);
    }

    /**
     * The parameters as pgjdbc connection properties: libpq spellings of those pgjdbc names differently are
     * renamed ({@code connect_timeout}, {@code application_name}, {@code target_session_attrs}); {@code sslmode},
     * {@code sslrootcert}, {@code sslcert} and {@code sslkey} are spelled alike.
     */
    public Map<String, String> jdbcProperties() {
        Map<String, String> jdbc = new LinkedHashMap<>();
        parameters.forEach((key, value) -> {
            switch (key) {
                case "connect_timeout" -> jdbc.put("connectTimeout", value);
                case "application_name" -> jdbc.put("ApplicationName", value);
                case "target_session_attrs" -> jdbc.put("targetServerType", switch (value) {
                    case "read-write", "primary" -> "primary";
                    case "read-only", "standby" -> "secondary";
                    case "prefer-standby" -> "preferSecondary";
                    default -> value;
                });
                default -> jdbc.put(key, value);
            }
        });
        return Collections.unmodifiableMap(jdbc);
    }

    /** The prefixes this class reads. */
    public enum Scheme {
        /** {@code postgresql://}, libpq's own spelling. */
        POSTGRESQL("postgresql://"),
        /** {@code postgres://}, libpq's short spelling. */
        POSTGRES("postgres://"),
        /** {@code jdbc:postgresql://}, pgjdbc's. */
        JDBC("jdbc:postgresql://");

        private final String prefix;

        Scheme(String prefix) {
            this.prefix = prefix;
        }
    }

    /**
     * Parses a URL of any of the {@link Scheme}s.
     *
     * @throws IllegalArgumentException naming what is wrong, never repeating the input
     */
    public static PostgresUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        Scheme scheme = null;
        for (Scheme candidate : Scheme.values()) {
            if (url.startsWith(candidate.prefix)) {
                scheme = candidate;
            }
        }
        if (scheme == null) {
            throw new IllegalArgumentException("must start with postgresql:// or jdbc:postgresql://");
        }
        String rest = url.substring(scheme.prefix.length());
        if (rest.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("has a space or control character; percent-encode it");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        int question = rest.indexOf('?');
        if (question >= 0) {
            for (String pair : rest.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("has a query parameter without a name or value");
                }
                parameters.put(decode(pair.substring(0, equals)), decode(pair.substring(equals + 1)));
            }
            rest = rest.substring(0, question);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String database = slash >= 0 ? decode(rest.substring(slash + 1)) : "";

        Optional<String> user = Optional.ofNullable(parameters.remove("user"));
        Optional<String> password = Optional.ofNullable(parameters.remove("password"));
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                password = Optional.of(decode(userInfo.substring(colon + 1)));
                userInfo = userInfo.substring(0, colon);
            }
            if (!userInfo.isEmpty()) {
                user = Optional.of(decode(userInfo));
            }
        }

        List<Host> hosts = new ArrayList<>();
        for (String one : authority.split(",", -1)) {
            hosts.add(host(one));
        }
        return new PostgresUrl(scheme, hosts, database, user.filter(u -> !u.isEmpty()), password, parameters);
    }

    private static Host host(String authority) {
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("has an unterminated [IPv6] host");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("has garbage after the [IPv6] host");
                }
                portText = after.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon >= 0 ? authority.substring(0, colon) : authority;
            portText = colon >= 0 ? authority.substring(colon + 1) : null;
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("has no host");
        }
        return new Host(host, port(portText));
    }

    /** A pgjdbc URL without credentials or parameters: {@code jdbc:postgresql://host:port/database}. */
    public static String jdbcUrl(String host, int port, String database) {
        return Scheme.JDBC.prefix + hostAndPort(host, port) + "/" + encode(database);
    }

    /** {@code host:port}, with an IPv6 literal in brackets. */
    public static String hostAndPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Percent-encodes a URL component (a space as {@code %20}, never {@code +}). */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "PostgresUrl[" + scheme + ", " + user.map(u -> u + "@").orElse("")
                + hosts.stream().map(h -> h.host() + h.port().map(p -> ":" + p).orElse(""))
                        .collect(Collectors.joining(",")) + "/" + database
                + (password.isPresent() ? ", password=***" : "")
                + (parameters.isEmpty() ? "" : ", parameters=" + parameters.keySet()) + "]";
    }

    private static Optional<Integer> port(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        if (!text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 5) {
            throw new IllegalArgumentException("has a port that is not a number");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("has a port outside 1 to 65535");
        }
        return Optional.of(port);
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has malformed percent-encoding");
        }
    }
}
