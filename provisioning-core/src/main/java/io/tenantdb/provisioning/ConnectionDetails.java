package io.tenantdb.provisioning;

import java.util.HashMap;
import java.util.Map;
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

    private static final String SSLMODE = "sslmode";
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
        return "postgresql://" + PostgresUrl.encode(user) + ":" + PostgresUrl.encode(password) + "@"
                + PostgresUrl.hostAndPort(host, port) + "/" + PostgresUrl.encode(database) + query();
    }

    /**
     * Returns a JDBC URL without credentials, with {@code ?sslmode=MODE} when the details state one; pass user and
     * password as connection properties.
     */
    public String toJdbcUrl() {
        return PostgresUrl.jdbcUrl(host, port, database) + query();
    }

    /**
     * Parses a URI produced by {@link #toUri()}. The only query parameter accepted is {@code sslmode}.
     *
     * @throws IllegalArgumentException when {@code uri} is not of that form; the message never repeats the input
     */
    public static ConnectionDetails fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        try {
            PostgresUrl url = PostgresUrl.parse(uri);
            Map<String, String> parameters = new HashMap<>(url.parameters());
            Optional<SslMode> sslMode = Optional.ofNullable(parameters.remove(SSLMODE))
                    .map(mode -> SslMode.fromWireName(mode).orElseThrow(IllegalArgumentException::new));
            ConnectionDetails details = new ConnectionDetails(url.host(), url.port().orElse(0), url.database(),
                    url.user().orElse(""), url.password().orElseThrow(IllegalArgumentException::new), sslMode);
            // Only the exact form toUri() writes: no other scheme, parameter or spelling.
            if (!parameters.isEmpty() || !details.toUri().equals(uri)) {
                throw new IllegalArgumentException();
            }
            return details;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FORM);
        }
    }

    @Override
    public String toString() {
        return "ConnectionDetails[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=***" + sslMode.map(mode -> ", sslMode=" + mode.wireName()).orElse("") + "]";
    }

    private String query() {
        return sslMode.map(mode -> "?" + SSLMODE + "=" + mode.wireName()).orElse("");
    }
}
