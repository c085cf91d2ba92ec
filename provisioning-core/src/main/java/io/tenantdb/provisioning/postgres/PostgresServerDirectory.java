package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.ServerDirectory;
import io.tenantdb.provisioning.spi.ServerStore;
import io.tenantdb.provisioning.spi.ServerStore.StoredServer;

import javax.sql.DataSource;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The admin side of the registered servers over PostgreSQL. The {@link DatabaseServer#DEFAULT default} server is the
 * host's own admin {@link DataSource}; every other server is reached with its admin URL, opened from the control
 * plane (decrypted with the server's name as associated data) on first use and kept in memory only, through unpooled
 * connections of a {@link TenantConnector} (its connect timeout bounds how long an unreachable server can hold a
 * request). Each server gets one {@link PostgresDatabaseCreator}, with the server's tenant endpoint and the host's
 * common settings, made once and kept: an admin URL and a tenant endpoint never change once registered.
 *
 * <p>A server that does not answer is marked unhealthy in this instance for a back-off (default 30 seconds) and not
 * asked again before it ends. Instances come from {@link #builder}; immutable configuration, thread-safe.
 */
public final class PostgresServerDirectory implements ServerDirectory {

    /** How long a server that did not answer is left alone unless {@link Builder#backOff(Duration)} says otherwise. */
    public static final Duration DEFAULT_BACK_OFF = Duration.ofSeconds(30);

    private static final Logger LOG = System.getLogger(PostgresServerDirectory.class.getName());

    private final ServerStore store;
    private final CipherService cipher;
    private final TenantConnector connector;
    private final DataSource defaultAdmin;
    private final UUID controlPlaneId;
    private final Consumer<PostgresDatabaseCreator.Builder> settings;
    private final Duration backOff;
    private final Clock clock;
    private final Map<String, PostgresDatabaseCreator> creators = new ConcurrentHashMap<>();
    private final Map<String, DataSource> admins = new ConcurrentHashMap<>();
    private final Map<String, Instant> unhealthyUntil = new ConcurrentHashMap<>();

    private PostgresServerDirectory(Builder builder) {
        this.store = builder.store;
        this.cipher = builder.cipher;
        this.connector = builder.connector;
        this.defaultAdmin = builder.defaultAdmin;
        this.controlPlaneId = builder.controlPlaneId;
        this.settings = builder.settings;
        this.backOff = builder.backOff;
        this.clock = builder.clock;
    }

    /**
     * Starts a builder.
     *
     * @param store          the registry
     * @param cipher         opens the sealed admin URLs
     * @param connector      opens admin connections to registered servers; its connect timeout is the probe's
     * @param defaultAdmin   the host's own admin connections: the default server's
     * @param controlPlaneId the mark every creator writes, {@link JdbcTenantStore#controlPlaneId()}
     */
    public static Builder builder(ServerStore store, CipherService cipher, TenantConnector connector,
                                  DataSource defaultAdmin, UUID controlPlaneId) {
        return new Builder(store, cipher, connector, defaultAdmin, controlPlaneId);
    }

    @Override
    public PostgresDatabaseCreator creatorFor(String server) throws SQLException {
        Objects.requireNonNull(server, "server");
        PostgresDatabaseCreator known = creators.get(server);
        if (known != null) {
            return known;
        }
        StoredServer stored = stored(server);
        PostgresDatabaseCreator.Builder builder = PostgresDatabaseCreator.builder(admin(server), controlPlaneId);
        if (stored.tenantHost().isEmpty() || stored.tenantPort().isEmpty()) {
            throw new SQLException("server " + server + " has no tenant endpoint yet", "55000");
        }
        builder.tenantEndpoint(stored.tenantHost().get(), stored.tenantPort().get());
        settings.accept(builder);
        PostgresDatabaseCreator created = builder.build();
        PostgresDatabaseCreator raced = creators.putIfAbsent(server, created);
        return raced == null ? created : raced;
    }

    @Override
    public boolean answers(String server) {
        Objects.requireNonNull(server, "server");
        Instant now = clock.instant();
        Instant until = unhealthyUntil.get(server);
        if (until != null && now.isBefore(until)) {
            return false;
        }
        try (Connection connection = admin(server).getConnection()) {
            if (!connection.isValid(connector.connectTimeoutSeconds())) {
                throw new SQLException("the server did not answer a validation", "08006");
            }
            unhealthyUntil.remove(server);
            return true;
        } catch (SQLException | RuntimeException e) {
            unhealthyUntil.put(server, now.plus(backOff));
            LOG.log(Level.WARNING, "server {0} did not answer; no tenant is placed there for {1} s: {2}", server,
                    backOff.toSeconds(), LogSafe.describe(e));
            return false;
        }
    }

    @Override
    public Optional<Instant> unhealthyUntil(String server) {
        return Optional.ofNullable(unhealthyUntil.get(server)).filter(clock.instant()::isBefore);
    }

    @Override
    public boolean mayProvision(PostgresUrl adminUrl) throws SQLException {
        Objects.requireNonNull(adminUrl, "adminUrl");
        try (Connection connection = connector.open(adminUrl)) {
            return Jdbc.query(connection, """
                    SELECT rolsuper OR (rolcreatedb AND rolcreaterole) FROM pg_roles WHERE rolname = current_user
                    """, Jdbc.values(), rs -> rs.getBoolean(1)).stream().findFirst().orElse(false);
        }
    }

    /** The admin connections of a server: the host's for the default one, else from its sealed admin URL. */
    private DataSource admin(String server) throws SQLException {
        if (server.equals(DatabaseServer.DEFAULT)) {
            return defaultAdmin;
        }
        DataSource known = admins.get(server);
        if (known != null) {
            return known;
        }
        StoredServer stored = stored(server);
        byte[] url;
        try {
            url = cipher.decrypt(stored.adminSealed()
                            .orElseThrow(() -> new SQLException("server " + server + " has no admin URL", "55000"))
                            .value(), ServerStore.associatedData(server));
        } catch (GeneralSecurityException e) {
            LOG.log(Level.ERROR, "server {0}: the stored admin URL does not decrypt: {1}", server,
                    e.getClass().getSimpleName());
            throw new SQLException("the admin URL of server " + server + " does not decrypt", "28000");
        }
        DataSource created = connector.dataSource(PostgresUrl.parse(new String(url, StandardCharsets.UTF_8)));
        DataSource raced = admins.putIfAbsent(server, created);
        return raced == null ? created : raced;
    }

    private StoredServer stored(String server) throws SQLException {
        return store.find(server).orElseThrow(() -> new SQLException("no server " + server, "42704"));
    }

    /** Configures a {@link PostgresServerDirectory}. Not thread-safe; {@link #build()} copies its state. */
    public static final class Builder {
        private final ServerStore store;
        private final CipherService cipher;
        private final TenantConnector connector;
        private final DataSource defaultAdmin;
        private final UUID controlPlaneId;
        private Consumer<PostgresDatabaseCreator.Builder> settings = builder -> { };
        private Duration backOff = DEFAULT_BACK_OFF;
        private Clock clock = Clock.systemUTC();

        private Builder(ServerStore store, CipherService cipher, TenantConnector connector, DataSource defaultAdmin,
                        UUID controlPlaneId) {
            this.store = Objects.requireNonNull(store, "store");
            this.cipher = Objects.requireNonNull(cipher, "cipher");
            this.connector = Objects.requireNonNull(connector, "connector");
            this.defaultAdmin = Objects.requireNonNull(defaultAdmin, "defaultAdmin");
            this.controlPlaneId = Objects.requireNonNull(controlPlaneId, "controlPlaneId");
        }

        /**
         * Settings every server's creator gets besides its tenant endpoint, e.g.
         * {@code b -> b.connectionLimit(20).tenantSslMode(SslMode.REQUIRE)}; must not set the endpoint.
         */
        public Builder creatorSettings(Consumer<PostgresDatabaseCreator.Builder> creatorSettings) {
            this.settings = Objects.requireNonNull(creatorSettings, "creatorSettings");
            return this;
        }

        /**
         * How long a server that did not answer is left alone.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder backOff(Duration duration) {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("back-off must not be negative");
            }
            this.backOff = duration;
            return this;
        }

        /** The clock of back-offs (default: the system UTC clock). */
        public Builder clock(Clock backOffClock) {
            this.clock = Objects.requireNonNull(backOffClock, "backOffClock");
            return this;
        }

        /** Builds a thread-safe directory; it opens nothing until first asked. */
        public PostgresServerDirectory build() {
            return new PostgresServerDirectory(this);
        }
    }
}
