package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.SslMode;
import io.tenantdb.provisioning.spi.DatabaseCreator;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Creates each tenant database owned by its own login role over an admin {@link DataSource} (the role needs
 * CREATEDB and CREATEROLE). Per tenant it issues:
 * <pre>
 * CREATE ROLE "car_…" LOGIN CONNECTION LIMIT 20 PASSWORD 'SCRAM-SHA-256$…'
 *     [; ALTER ROLE "car_…" SET name = E'value' …]
 *     ; COMMENT ON ROLE "car_…" IS 'tenantdb:&lt;control plane&gt;:&lt;tenant&gt;'
 * GRANT "car_…" TO CURRENT_USER                          -- only when the admin is not a superuser
 * CREATE DATABASE "car_…" OWNER "car_…" [TEMPLATE …] [STRATEGY …]
 * REVOKE ALL ON DATABASE "car_…" FROM PUBLIC
 *     ; COMMENT ON DATABASE "car_…" IS 'tenantdb:&lt;control plane&gt;:&lt;tenant&gt;'
 * </pre>
 * The password is sent as a SCRAM verifier computed here, so it never reaches the server's statement logs; it is
 * 256 bits from {@link SecureRandom}, and its verifier takes {@value #DEFAULT_SCRAM_ITERATIONS} iterations unless
 * {@link Builder#scramIterations(int)} says otherwise (see docs/security.md). The comments
 * ({@link OwnershipMark}) prove which control plane made an object: {@link #drop} and {@link PostgresReconciler}
 * touch nothing else, so several control planes can share a cluster.
 * Instances come from {@link #builder(DataSource, UUID)}, are immutable and thread-safe.
 */
public final class PostgresDatabaseCreator implements DatabaseCreator {

    /** The {@code CONNECTION LIMIT} of tenant roles unless {@link Builder#connectionLimit(int)} says otherwise. */
    public static final int DEFAULT_CONNECTION_LIMIT = 20;

    /**
     * The SCRAM iteration count of tenant passwords' verifiers unless {@link Builder#scramIterations(int)} says
     * otherwise. Iterations slow the guessing of a password a person chose; a tenant's is 256 random bits, which no
     * count makes easier or harder to guess, while every login (the verification, each pool connection) pays for
     * them on the client. PostgreSQL's own default, 4096, costs about a millisecond per login.
     */
    public static final int DEFAULT_SCRAM_ITERATIONS = 64;

    private static final int PASSWORD_BYTES = 32;

    private final Jdbc jdbc;
    private final UUID controlPlaneId;
    private final String tenantHost;
    private final int tenantPort;
    private final Optional<SslMode> tenantSslMode;
    private final int connectionLimit;
    private final RoleSettings roleSettings;
    private final Optional<String> template;
    private final Optional<Strategy> strategy;
    private final int scramIterations;
    private final SecureRandom random = new SecureRandom();
    private volatile Boolean adminIsSuperuser;

    private PostgresDatabaseCreator(Builder builder) {
        this.jdbc = new Jdbc(builder.admin);
        this.controlPlaneId = builder.controlPlaneId;
        this.tenantHost = builder.tenantHost;
        this.tenantPort = builder.tenantPort;
        this.tenantSslMode = Optional.ofNullable(builder.tenantSslMode);
        this.connectionLimit = builder.connectionLimit;
        this.roleSettings = builder.roleSettings.copy();
        this.template = Optional.ofNullable(builder.template);
        this.strategy = Optional.ofNullable(builder.strategy);
        this.scramIterations = builder.scramIterations;
    }

    /**
     * Starts a builder over the admin connections.
     *
     * @param controlPlaneId the id of the control plane the tenants are recorded in,
     *                       {@link JdbcTenantStore#controlPlaneId()}
     */
    public static Builder builder(DataSource admin, UUID controlPlaneId) {
        return new Builder(Objects.requireNonNull(admin, "admin"),
                Objects.requireNonNull(controlPlaneId, "controlPlaneId"));
    }

    /** The control plane whose mark this creator writes and whose objects alone it drops. */
    public UUID controlPlaneId() {
        return controlPlaneId;
    }

    @Override
    public ConnectionDetails create(UUID tenantId, String databaseName, String roleName) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        String database = Identifiers.quote(databaseName);
        String role = Identifiers.quote(roleName);
        String password = newPassword();
        String mark = new OwnershipMark(controlPlaneId, tenantId).comment();
        jdbc.withConnection(connection -> {
            // One implicit transaction: a role never exists without the comment that lets the reconciler claim it.
            Jdbc.execute(connection, "CREATE ROLE " + role + " LOGIN CONNECTION LIMIT " + connectionLimit
                    + " PASSWORD '" + verifier(password) + "'" + roleSettings.alterStatements(role)
                    + "; COMMENT ON ROLE " + role + " IS '" + mark + "'");
            if (!adminIsSuperuser(connection)) {
                // A non-superuser may only create a database owned by a role it is a member of.
                Jdbc.execute(connection, "GRANT " + role + " TO CURRENT_USER");
            }
            // A template in use by another session (55006) is transient; the statement had no effect, so retry.
            TransientRetry.run(() -> Jdbc.execute(connection, "CREATE DATABASE " + database + " OWNER " + role
                    + template.map(t -> " TEMPLATE " + Identifiers.quote(t)).orElse("")
                    + strategy.map(s -> " STRATEGY " + s.name()).orElse("")));
            Jdbc.execute(connection, "REVOKE ALL ON DATABASE " + database + " FROM PUBLIC; COMMENT ON DATABASE "
                    + database + " IS '" + mark + "'");
            return null;
        });
        return details(databaseName, roleName, password);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Drops only what carries this control plane's mark for {@code tenantId}, or the mark of earlier versions
     * for that tenant (the caller holds the tenant in its control plane). Anything else of that name is left alone.
     */
    @Override
    public void drop(UUID tenantId, String databaseName, String roleName) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        String database = Identifiers.quote(databaseName);
        String role = Identifiers.quote(roleName);
        // Both statements are idempotent, so a dropped connection or a concurrent session is simply retried.
        TransientRetry.runIdempotent(() -> jdbc.withConnection(connection -> {
            Marks marks = Jdbc.query(connection, """
                    SELECT (SELECT coalesce(shobj_description(d.oid, 'pg_database'),
                                            shobj_description(d.datdba, 'pg_authid'))
                              FROM pg_database d WHERE d.datname = ?),
                           (SELECT shobj_description(r.oid, 'pg_authid') FROM pg_roles r WHERE r.rolname = ?)
                    """, Jdbc.values(databaseName, roleName), rs -> new Marks(rs.getString(1), rs.getString(2))).get(0);
            if (isOurs(marks.database(), tenantId)) {
                Jdbc.execute(connection, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
            if (isOurs(marks.role(), tenantId)) {
                Jdbc.execute(connection, "DROP ROLE IF EXISTS " + role);
            }
            return null;
        }));
    }

    /**
     * Turns a warm pool entry into a tenant's database and role, in one transaction: both renamed from
     * {@code entryName} to {@code name}, the role given a fresh password, both marked for the tenant. A database
     * cannot be renamed while sessions are connected to it; those left on an entry are the library's own (its
     * verifier or initializer, closing: nobody else ever had the entry's password), so they are ended and the
     * rename retried.
     */
    ConnectionDetails claim(UUID tenantId, String entryName, String name) throws SQLException {
        String from = Identifiers.quote(entryName);
        String to = Identifiers.quote(name);
        String password = newPassword();
        String mark = new OwnershipMark(controlPlaneId, tenantId).comment();
        String sql = "ALTER DATABASE " + from + " RENAME TO " + to + "; ALTER ROLE " + from + " RENAME TO " + to
                + "; ALTER ROLE " + to + " PASSWORD '" + verifier(password) + "'; COMMENT ON ROLE "
                + to + " IS '" + mark + "'; COMMENT ON DATABASE " + to + " IS '" + mark + "'";
        jdbc.withConnection(connection -> {
            try {
                Jdbc.execute(connection, sql);
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState())) {
                    throw e;
                }
                Jdbc.query(connection, "SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity"
                        + " WHERE datname = ?", Jdbc.values(entryName), rs -> rs.getBoolean(1));
                TransientRetry.run(() -> Jdbc.execute(connection, sql));
            }
            return null;
        });
        return details(name, name, password);
    }

    /**
     * Waits until no session is connected to {@code databaseName}, polling every 10 ms for at most {@code polls}
     * times: a closed connection's server process leaves a moment after the socket closes, and a rename would wait
     * for it (PostgreSQL checks every 100 ms).
     *
     * @return whether none is left
     */
    boolean awaitNoSessions(String databaseName, int polls) throws SQLException {
        for (int poll = 0; poll < polls; poll++) {
            if (jdbc.query("SELECT count(*) FROM pg_stat_activity WHERE datname = ?", Jdbc.values(databaseName),
                    rs -> rs.getInt(1)).get(0) == 0) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Lists databases and roles whose names start with {@code prefix}, each with the comment that claims it: a
     * database's own, or its owning role's when the database has none (a crash may fall between creating the
     * database and commenting it).
     */
    List<CatalogObject> objectsNamed(String prefix) throws SQLException {
        return jdbc.query("""
                SELECT true, d.datname, coalesce(shobj_description(d.oid, 'pg_database'),
                                                 shobj_description(d.datdba, 'pg_authid'))
                  FROM pg_database d WHERE starts_with(d.datname, ?)
                UNION ALL
                SELECT false, r.rolname, shobj_description(r.oid, 'pg_authid')
                  FROM pg_roles r WHERE starts_with(r.rolname, ?)
                """, Jdbc.values(prefix, prefix),
                rs -> new CatalogObject(rs.getBoolean(1), rs.getString(2), rs.getString(3)));
    }

    /** Rewrites an object's comment of an earlier version into this control plane's mark. */
    void adopt(CatalogObject object, UUID tenantId) throws SQLException {
        String sql = "COMMENT ON " + (object.database() ? "DATABASE " : "ROLE ") + Identifiers.quote(object.name())
                + " IS '" + new OwnershipMark(controlPlaneId, tenantId).comment() + "'";
        TransientRetry.runIdempotent(() -> jdbc.execute(sql));
    }

    private boolean isOurs(String comment, UUID tenantId) {
        return OwnershipMark.claim(comment, controlPlaneId, tenantId) != OwnershipMark.Claim.NONE;
    }

    @Override
    public ConnectionDetails rotatePassword(String databaseName, String roleName) throws SQLException {
        Identifiers.quote(databaseName);
        String password = newPassword();
        setPassword(roleName, verifier(password));
        return details(databaseName, roleName, password);
    }

    @Override
    public void restorePassword(ConnectionDetails previous) throws SQLException {
        setPassword(previous.user(), verifier(previous.password()));
    }

    private void setPassword(String roleName, String verifier) throws SQLException {
        String role = Identifiers.quote(roleName);
        // Setting the same verifier twice is harmless, so a lost connection is simply retried.
        TransientRetry.runIdempotent(() -> jdbc.execute("ALTER ROLE " + role + " PASSWORD '" + verifier + "'"));
    }

    private String newPassword() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String verifier(String password) {
        return ScramVerifier.of(password, scramIterations, random);
    }

    private ConnectionDetails details(String databaseName, String roleName, String password) {
        return new ConnectionDetails(tenantHost, tenantPort, databaseName, roleName, password, tenantSslMode);
    }

    private boolean adminIsSuperuser(Connection connection) throws SQLException {
        Boolean known = adminIsSuperuser;
        if (known == null) {
            known = Jdbc.query(connection, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
                    Jdbc.values(), rs -> rs.getBoolean(1)).stream().findFirst().orElse(false);
            adminIsSuperuser = known;
        }
        return known;
    }

    /** The comments that claim a database (its own, else its owner's) and a role; null where absent. */
    private record Marks(String database, String role) {
    }

    /** How {@code CREATE DATABASE} copies its template (PostgreSQL 15 and later). */
    public enum Strategy {
        /** Copies block by block through the WAL; the default since PostgreSQL 15, best for small templates. */
        WAL_LOG,
        /** Copies files and checkpoints twice; faster for large templates, slower under concurrency. */
        FILE_COPY
    }

    /**
     * A database or role in the cluster's catalog.
     *
     * @param database true for a database, false for a role
     * @param comment  the comment that claims it, or null
     */
    record CatalogObject(boolean database, String name, String comment) {
    }

    /** Configures a {@link PostgresDatabaseCreator}. Not thread-safe; {@link #build()} copies its state. */
    public static final class Builder {
        private final DataSource admin;
        private final UUID controlPlaneId;
        private String tenantHost = "localhost";
        private int tenantPort = 5432;
        private SslMode tenantSslMode;
        private int connectionLimit = DEFAULT_CONNECTION_LIMIT;
        private final RoleSettings roleSettings = new RoleSettings();
        private String template;
        private Strategy strategy;
        private int scramIterations = DEFAULT_SCRAM_ITERATIONS;

        private Builder(DataSource admin, UUID controlPlaneId) {
            this.admin = admin;
            this.controlPlaneId = controlPlaneId;
        }

        /**
         * Where tenants reach the server: written into each connection string and used to verify it. May differ
         * from the admin's route (a proxy, a private address). Default {@code localhost:5432}.
         *
         * @throws IllegalArgumentException when the host is blank or the port is outside 1–65535
         */
        public Builder tenantEndpoint(String host, int port) {
            requireEndpoint(host, port);
            this.tenantHost = host;
            this.tenantPort = port;
            return this;
        }

        /** The rule of {@link #tenantEndpoint}, also {@link PostgresProvisioning}'s. */
        static void requireEndpoint(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank() || port < 1 || port > 65535) {
                throw new IllegalArgumentException("tenant endpoint needs a host and a port from 1 to 65535");
            }
        }

        /**
         * The {@code sslmode} written into each connection string, and so used to verify it: a successful
         * provisioning proves the tenant's TLS settings work. Unset, strings state none (the client's default,
         * {@code prefer}).
         */
        public Builder tenantSslMode(SslMode mode) {
            this.tenantSslMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * The {@code CONNECTION LIMIT} of each new tenant role: its most concurrent sessions, so that a tenant at its
         * limit is refused while everyone else still connects. {@code -1} is unlimited. Default
         * {@value PostgresDatabaseCreator#DEFAULT_CONNECTION_LIMIT}.
         *
         * @throws IllegalArgumentException when {@code limit} is below {@code -1}, or {@code 0}: a role that may not
         *                                  connect could never be verified
         */
        public Builder connectionLimit(int limit) {
            if (limit < -1 || limit == 0) {
                throw new IllegalArgumentException("connection limit must be -1 (unlimited) or at least 1");
            }
            this.connectionLimit = limit;
            return this;
        }

        /**
         * Sets a configuration parameter on each new tenant role, e.g. {@code roleSetting("statement_timeout",
         * "30s")}, with {@code ALTER ROLE … SET name = 'value'} in the same implicit transaction as
         * {@code CREATE ROLE}: a setting the server refuses fails the creation and leaves no role. Settings apply in
         * the order given; setting a name again replaces its value.
         *
         * @throws IllegalArgumentException unless {@code name} matches {@code [a-z_][a-z0-9_.]{0,62}}, or when
         *                                  {@code value} contains a NUL character
         */
        public Builder roleSetting(String name, String value) {
            roleSettings.put(name, value);
            return this;
        }

        /**
         * Copies new databases from this template instead of the server's default ({@code template1}).
         *
         * @throws IllegalArgumentException unless the name matches {@code [a-z0-9_]{1,63}}
         */
        public Builder template(String templateName) {
            Identifiers.quote(templateName);
            this.template = templateName;
            return this;
        }

        /** Sets {@code CREATE DATABASE … STRATEGY}; unset leaves the server's default. */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * The SCRAM iteration count of new and rotated passwords' verifiers. Default
         * {@value PostgresDatabaseCreator#DEFAULT_SCRAM_ITERATIONS}; raise it (PostgreSQL's default is 4096) where a
         * policy asks for a count regardless of the password's strength.
         *
         * @throws IllegalArgumentException when {@code iterations} is below 1
         */
        public Builder scramIterations(int iterations) {
            if (iterations < 1) {
                throw new IllegalArgumentException("SCRAM iterations must be at least 1");
            }
            this.scramIterations = iterations;
            return this;
        }

        /** Builds an immutable, thread-safe creator. */
        public PostgresDatabaseCreator build() {
            return new PostgresDatabaseCreator(this);
        }
    }
}
