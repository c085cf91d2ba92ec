package io.tenantdb.provisioning;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one tenant database as its own role. Holds a password: {@link #toString()} redacts it,
 * and nothing in this library logs or returns a value of this type.
 *
 * @param host     host name or IP literal tenants connect to
 * @param port     TCP port, 1–65535
 * @param database the tenant database name
 * @param user     the tenant's login role
 * @param password the role's password
 * @param sslMode  the libpq {@code sslmode} the string states; empty leaves the client's default (libpq's and
 *                 pgjdbc's is {@link SslMode#PREFER})
 */
public record ConnectionDetails(String host, int port, String database, String user, String password,
                                Optional<SslMode> sslMode) {

    private static final String SCHEME = "postgresql";
    private static final String SSLMODE = "sslmode=";
    private static final String FORM = "not a postgresql://user:password@host:port/database[?sslmode=mode] URI";

    /**
     * @throws NullPointerException     when a component is null
     * @throws IllegalArgumentException when the port is out of range or a name is empty
     */
    public ConnectionDetails {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(sslMode, "sslMode");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535");
        }
        if (host.isEmpty() || database.isEmpty() || user.isEmpty()) {
            throw new IllegalArgumentException("host, database and user must not be empty");
        }
    }

    /**
     * Details that state no {@code sslmode}.
     *
     * @throws NullPointerException     when a component is null
     * @throws IllegalArgumentException when the port is out of range or a name is empty
     */
    public ConnectionDetails(String host, int port, String database, String user, String password) {
        this(host, port, database, user, password, Optional.empty());
    }

    /**
     * Returns the libpq URI {@code postgresql://USER:PASSWORD@HOST:PORT/DATABASE}, user and password
     * percent-encoded, followed by {@code ?sslmode=MODE} when the details state one.
     */
    public String toUri() {
        return SCHEME + "://" + encode(user) + ":" + encode(password) + "@" + hostAndPort() + "/" + encode(database)
                + query();
    }

    /**
     * Returns a JDBC URL without credentials, with {@code ?sslmode=MODE} when the details state one; pass user and
     * password as connection properties.
     */
    public String toJdbcUrl() {
        return "jdbc:postgresql://" + hostAndPort() + "/" + encode(database) + query();
    }

    /**
     * Parses a URI produced by {@link #toUri()}. The only query parameter accepted is {@code sslmode}.
     *
     * @throws IllegalArgumentException when {@code uri} is not of that form; the message never repeats the input
     */
    public static ConnectionDetails fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        try {
            URI parsed = new URI(uri);
            String userInfo = parsed.getRawUserInfo();
            int colon = userInfo == null ? -1 : userInfo.indexOf(':');
            String path = parsed.getRawPath();
            if (!SCHEME.equals(parsed.getScheme()) || colon < 0 || parsed.getHost() == null || parsed.getPort() < 0
                    || path == null || path.length() < 2) {
                throw new IllegalArgumentException(FORM);
            }
            String host = parsed.getHost().startsWith("[")
                    ? parsed.getHost().substring(1, parsed.getHost().length() - 1) : parsed.getHost();
            return new ConnectionDetails(host, parsed.getPort(), decode(path.substring(1)),
                    decode(userInfo.substring(0, colon)), decode(userInfo.substring(colon + 1)),
                    sslMode(parsed.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(FORM);
        }
    }

    @Override
    public String toString() {
        return "ConnectionDetails[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=***" + sslMode.map(mode -> ", sslMode=" + mode.wireName()).orElse("") + "]";
    }

    private String query() {
        return sslMode.map(mode -> "?" + SSLMODE + mode.wireName()).orElse("");
    }

    private static Optional<SslMode> sslMode(String rawQuery) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        Optional<SslMode> mode = rawQuery.startsWith(SSLMODE)
                ? SslMode.fromWireName(rawQuery.substring(SSLMODE.length())) : Optional.empty();
        if (mode.isEmpty()) {
            throw new IllegalArgumentException(FORM);
        }
        return mode;
    }

    private String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
