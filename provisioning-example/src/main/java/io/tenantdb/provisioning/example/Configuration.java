package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.SslMode;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.flyway.FlywayMigrations;
import io.tenantdb.provisioning.postgres.JdbcIdempotencyStore;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;
import io.tenantdb.provisioning.postgres.PostgresWarmPool;
import io.tenantdb.provisioning.servlet.BearerTokenFilter;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every setting of the example application, parsed and validated in one place from named variables (the process
 * environment for {@code java -jar}; context parameters, system properties and the environment for the WAR).
 *
 * <p>Variables: {@code DATABASE_URL}, {@code ENCRYPTION_KEY}, {@code ENCRYPTION_KEYS_PREVIOUS}, {@code ADMIN_TOKEN},
 * {@code PORT}, {@code PROVISIONING_DATA_DIR}, {@code TENANT_DB_HOST}, {@code TENANT_DB_PORT},
 * {@code TENANT_DB_SSLMODE}, {@code TENANT_DB_SSLROOTCERT}, {@code TENANT_CONNECTION_LIMIT},
 * {@code DB_CONNECT_TIMEOUT_SECONDS}, {@code DB_STATEMENT_TIMEOUT_SECONDS}, {@code PROVISIONING_LEASE_SECONDS},
 * {@code RECONCILE_INTERVAL_SECONDS}, {@code IDEMPOTENCY_KEY_RETENTION_HOURS}, {@code DATABASE_PREFIX},
 * {@code ACCESS_LOG}, {@code TENANT_MIGRATIONS}, {@code METRICS_TOKEN}, {@code WARM_POOL_SIZE}; see
 * {@code docs/configuration.md}. An unset variable takes its default; a variable set to a blank value is refused,
 * so that an accidentally empty {@code DATABASE_URL} never silently selects the embedded database.
 *
 * <p>Immutable and thread-safe. Its {@link #toString()} and every error message leave secrets out.
 */
public final class Configuration {

    /** HTTP port when {@code PORT} is unset. */
    public static final int DEFAULT_PORT = 8080;
    /** Data directory of the embedded mode when {@code PROVISIONING_DATA_DIR} is unset. */
    public static final String DEFAULT_DATA_DIR = "provisioning-data";

    static final String DATABASE_URL = "DATABASE_URL";
    static final String ENCRYPTION_KEY = "ENCRYPTION_KEY";
    static final String ENCRYPTION_KEYS_PREVIOUS = "ENCRYPTION_KEYS_PREVIOUS";
    static final String ADMIN_TOKEN = "ADMIN_TOKEN";
    static final String PORT = "PORT";
    static final String PROVISIONING_DATA_DIR = "PROVISIONING_DATA_DIR";
    static final String TENANT_DB_HOST = "TENANT_DB_HOST";
    static final String TENANT_DB_PORT = "TENANT_DB_PORT";
    static final String TENANT_DB_SSLMODE = "TENANT_DB_SSLMODE";
    static final String TENANT_DB_SSLROOTCERT = "TENANT_DB_SSLROOTCERT";
    static final String TENANT_CONNECTION_LIMIT = "TENANT_CONNECTION_LIMIT";
    static final String DB_CONNECT_TIMEOUT_SECONDS = "DB_CONNECT_TIMEOUT_SECONDS";
    static final String DB_STATEMENT_TIMEOUT_SECONDS = "DB_STATEMENT_TIMEOUT_SECONDS";
    static final String PROVISIONING_LEASE_SECONDS = "PROVISIONING_LEASE_SECONDS";
    static final String RECONCILE_INTERVAL_SECONDS = "RECONCILE_INTERVAL_SECONDS";
    static final String IDEMPOTENCY_KEY_RETENTION_HOURS = "IDEMPOTENCY_KEY_RETENTION_HOURS";
    static final String DATABASE_PREFIX = "DATABASE_PREFIX";
    static final String ACCESS_LOG = "ACCESS_LOG";
    static final String TENANT_MIGRATIONS = "TENANT_MIGRATIONS";
    static final String METRICS_TOKEN = "METRICS_TOKEN";
    static final String WARM_POOL_SIZE = "WARM_POOL_SIZE";

    /** Every variable this class reads, in the order it validates them. */
    public static final List<String> VARIABLES = List.of(DATABASE_URL, ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS,
            ADMIN_TOKEN, PORT, PROVISIONING_DATA_DIR, TENANT_DB_HOST, TENANT_DB_PORT, TENANT_DB_SSLMODE,
            TENANT_DB_SSLROOTCERT, TENANT_CONNECTION_LIMIT, DB_CONNECT_TIMEOUT_SECONDS,
            DB_STATEMENT_TIMEOUT_SECONDS, PROVISIONING_LEASE_SECONDS, RECONCILE_INTERVAL_SECONDS,
            IDEMPOTENCY_KEY_RETENTION_HOURS, DATABASE_PREFIX, ACCESS_LOG, TENANT_MIGRATIONS, METRICS_TOKEN,
            WARM_POOL_SIZE);

    /** PostgreSQL's upper bound of {@code max_connections}; no role limit above it means anything. */
    private static final int MAX_CONNECTION_LIMIT = 262_143;

    private final Optional<PostgresUrl> database;
    private final Optional<EncryptionKey> encryptionKey;
    private final List<EncryptionKey> previousKeys;
    private final Optional<String> adminToken;
    private final Optional<String> metricsToken;
    private final int port;
    private final Path dataDirectory;
    private final Optional<String> tenantDbHost;
    private final OptionalInt tenantDbPort;
    private final Optional<SslMode> tenantSslMode;
    private final Optional<Path> tenantSslRootCert;
    private final int tenantConnectionLimit;
    private final Timeouts timeouts;
    private final Duration idempotencyRetention;
    private final String databasePrefix;
    private final boolean accessLog;
    private final Optional<FlywayMigrations> tenantMigrations;
    private final int warmPoolSize;

    private Configuration(Function<String, String> lookup) {
        this.database = optional(lookup, DATABASE_URL).map(Configuration::parseDatabaseUrl);
        this.encryptionKey = optional(lookup, ENCRYPTION_KEY).map(value -> key(ENCRYPTION_KEY, "", value));
        this.previousKeys = optional(lookup, ENCRYPTION_KEYS_PREVIOUS).map(Configuration::keys).orElse(List.of());
        this.adminToken = optional(lookup, ADMIN_TOKEN).map(value -> token(ADMIN_TOKEN, value));
        this.port = number(lookup, PORT, 0, 65535, DEFAULT_PORT);
        this.dataDirectory = path(PROVISIONING_DATA_DIR, optional(lookup, PROVISIONING_DATA_DIR)
                .orElse(DEFAULT_DATA_DIR));
        this.tenantDbHost = optional(lookup, TENANT_DB_HOST).map(Configuration::host);
        this.tenantDbPort = optional(lookup, TENANT_DB_PORT)
                .map(value -> OptionalInt.of(number(TENANT_DB_PORT, value, 1, 65535))).orElse(OptionalInt.empty());
        this.tenantSslMode = optional(lookup, TENANT_DB_SSLMODE).map(Configuration::sslMode);
        this.tenantSslRootCert = optional(lookup, TENANT_DB_SSLROOTCERT).map(Configuration::caFile);
        this.tenantConnectionLimit = optional(lookup, TENANT_CONNECTION_LIMIT).map(Configuration::connectionLimit)
                .orElse(PostgresDatabaseCreator.DEFAULT_CONNECTION_LIMIT);
        if (tenantSslRootCert.isPresent()
                && tenantSslMode.filter(mode -> mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL).isEmpty()) {
            // pgjdbc reads the CA file only to verify; under any other mode it would be silently ignored.
            throw new Invalid(TENANT_DB_SSLROOTCERT, "only applies with TENANT_DB_SSLMODE verify-ca or verify-full");
        }
        this.timeouts = new Timeouts(
                seconds(lookup, DB_CONNECT_TIMEOUT_SECONDS, Timeouts.DEFAULT_CONNECT, 1),
                seconds(lookup, DB_STATEMENT_TIMEOUT_SECONDS, Timeouts.DEFAULT_STATEMENT, 1),
                seconds(lookup, PROVISIONING_LEASE_SECONDS, Timeouts.DEFAULT_LEASE, 5),
                seconds(lookup, RECONCILE_INTERVAL_SECONDS, Timeouts.DEFAULT_RECONCILE_INTERVAL, 0));
        this.idempotencyRetention = optional(lookup, IDEMPOTENCY_KEY_RETENTION_HOURS)
                .map(value -> Duration.ofHours(number(IDEMPOTENCY_KEY_RETENTION_HOURS, value, 1, 8760)))
                .orElse(JdbcIdempotencyStore.DEFAULT_RETENTION);
        this.databasePrefix = optional(lookup, DATABASE_PREFIX).map(Configuration::databasePrefix)
                .orElse(TenantProvisioner.Builder.DEFAULT_DATABASE_PREFIX);
        this.accessLog = optional(lookup, ACCESS_LOG).map(Configuration::onOff).orElse(true);
        this.tenantMigrations = optional(lookup, TENANT_MIGRATIONS).map(Configuration::migrations);
        this.metricsToken = optional(lookup, METRICS_TOKEN).map(value -> token(METRICS_TOKEN, value));
        this.warmPoolSize = number(lookup, WARM_POOL_SIZE, 0, PostgresWarmPool.MAX_SIZE, 0);
        if (timeouts.lease().compareTo(timeouts.statement().plus(timeouts.connect())) <= 0) {
            // A lease shorter than one step could let the reconciler roll back a provisioning that is still alive.
            throw new Invalid(PROVISIONING_LEASE_SECONDS, "must be longer than DB_CONNECT_TIMEOUT_SECONDS + "
                    + "DB_STATEMENT_TIMEOUT_SECONDS ("
                    + timeouts.statement().plus(timeouts.connect()).toSeconds() + ")");
        }
        if (database.isPresent()) {
            // With a database of their own, operators must own the key and token: generating them would tie the
            // decryptability of every stored secret to a file on one machine.
            if (encryptionKey.isEmpty()) {
                throw new Invalid(ENCRYPTION_KEY, "is required when DATABASE_URL is set (base64 of 32 random bytes,"
                        + " e.g. `openssl rand -base64 32`)");
            }
            if (adminToken.isEmpty()) {
                throw new Invalid(ADMIN_TOKEN, "is required when DATABASE_URL is set (at least "
                        + BearerTokenFilter.MIN_TOKEN_LENGTH + " characters, e.g. `openssl rand -base64 32`)");
            }
        }
        encryptionKey.ifPresent(primary -> {
            try {
                new AesGcmCipherService(primary, previousKeys);
            } catch (IllegalArgumentException e) {
                throw new Invalid(ENCRYPTION_KEYS_PREVIOUS, "holds a key whose id clashes with another key");
            }
        });
    }

    /**
     * Reads the configuration from a map of variables, such as {@link System#getenv()}.
     *
     * @throws Invalid when a variable is malformed, or a required one is missing
     */
    public static Configuration from(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables");
        return new Configuration(variables::get);
    }

    /**
     * Reads the configuration through a lookup that returns a variable's value, or null when it is unset.
     *
     * @throws Invalid when a variable is malformed, or a required one is missing
     */
    public static Configuration from(Function<String, String> lookup) {
        return new Configuration(Objects.requireNonNull(lookup, "lookup"));
    }

    /** The external admin database, or empty for the embedded mode. */
    public Optional<PostgresUrl> database() {
        return database;
    }

    /** True when no {@code DATABASE_URL} is set and the application runs its own PostgreSQL. */
    public boolean embedded() {
        return database.isEmpty();
    }

    /** The key that seals new connection strings; always present unless {@link #embedded()}. */
    public Optional<EncryptionKey> encryptionKey() {
        return encryptionKey;
    }

    /** Keys that only decrypt, for values sealed before a rotation. */
    public List<EncryptionKey> previousKeys() {
        return previousKeys;
    }

    /** The bearer token of {@code /api/v1/*}; always present unless {@link #embedded()}. */
    public Optional<String> adminToken() {
        return adminToken;
    }

    /** The bearer token of {@code /metrics} when it differs from the admin token; empty: the admin token. */
    public Optional<String> metricsToken() {
        return metricsToken;
    }

    /** The HTTP port; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** Where the embedded mode keeps its database and generated secrets. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Host written into tenants' connection strings instead of the admin connection's host. */
    public Optional<String> tenantDbHost() {
        return tenantDbHost;
    }

    /** Port written into tenants' connection strings instead of the admin connection's port. */
    public OptionalInt tenantDbPort() {
        return tenantDbPort;
    }

    /** The {@code sslmode} written into tenants' connection strings; empty states none (libpq's default, prefer). */
    public Optional<SslMode> tenantSslMode() {
        return tenantSslMode;
    }

    /** The CA certificates (PEM) tenant connections are verified against; never written into a connection string. */
    public Optional<Path> tenantSslRootCert() {
        return tenantSslRootCert;
    }

    /** The {@code CONNECTION LIMIT} of each new tenant role; {@code -1} is unlimited. */
    public int tenantConnectionLimit() {
        return tenantConnectionLimit;
    }

    /** {@code WARM_POOL_SIZE}: tenant databases kept ready ahead of demand, 0 (the default) for none. */
    public int warmPoolSize() {
        return warmPoolSize;
    }

    /** How long a completed Idempotency-Key replays its tenant before it may be purged. */
    public Duration idempotencyRetention() {
        return idempotencyRetention;
    }

    /** The host's tenant migrations ({@code TENANT_MIGRATIONS}), applied at provisioning and by {@code migrate}. */
    public Optional<FlywayMigrations> tenantMigrations() {
        return tenantMigrations;
    }

    /** The prefix of tenant database and role names; the provisioner, its creator and the reconciler use it. */
    public String databasePrefix() {
        return databasePrefix;
    }

    /** True when every HTTP request is logged on {@code tenantdb.access} (the default). */
    public boolean accessLog() {
        return accessLog;
    }

    /**
     * A warning for each variable this class reads that is unset while a name differing only in case is set (for
     * instance {@code database_url}): variables are case-sensitive, so it is ignored, and an ignored
     * {@code DATABASE_URL} quietly selects the embedded mode. Names only, never values.
     *
     * @param names the names of the variables that are set, such as {@code System.getenv().keySet()}
     */
    public static List<String> misspelledVariables(java.util.Collection<String> names) {
        Objects.requireNonNull(names, "names");
        List<String> warnings = new ArrayList<>();
        for (String variable : VARIABLES) {
            if (names.contains(variable)) {
                continue;
            }
            names.stream().filter(name -> name.equalsIgnoreCase(variable)).sorted().forEach(name -> warnings.add(
                    name + " is set but ignored: variable names are case-sensitive; did you mean " + variable + "?"
                            + (variable.equals(DATABASE_URL)
                                    ? " Without DATABASE_URL the embedded PostgreSQL starts." : "")));
        }
        return List.copyOf(warnings);
    }

    /** Connect, statement and lease bounds, and how often the reconciler runs. */
    public Timeouts timeouts() {
        return timeouts;
    }

    @Override
    public String toString() {
        return "Configuration[database=" + database.map(PostgresUrl::toString).orElse("embedded")
                + ", encryptionKey=" + encryptionKey.map(EncryptionKey::idHex).orElse("generated")
                + ", previousKeys=" + previousKeys.size()
                + ", adminToken=" + (adminToken.isPresent() ? "***" : "generated")
                + ", metricsToken=" + (metricsToken.isPresent() ? "***" : "adminToken")
                + ", port=" + port + ", dataDirectory=" + dataDirectory + "]";
    }

    private static Optional<String> optional(Function<String, String> lookup, String name) {
        String value = lookup.apply(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value.isBlank()) {
            throw new Invalid(name, "is set but blank; unset it to use the default");
        }
        return Optional.of(value.strip());
    }

    /** @param entry which entry of a list, {@code "entry 2 "}, or empty for a single key */
    private static EncryptionKey key(String name, String entry, String value) {
        try {
            return EncryptionKey.fromBase64(value);
        } catch (IllegalArgumentException e) {
            // EncryptionKey's messages never repeat the input.
            throw new Invalid(name, entry + e.getMessage().replaceFirst("^encryption key ", ""));
        }
    }

    private static List<EncryptionKey> keys(String value) {
        List<EncryptionKey> keys = new ArrayList<>();
        String[] entries = value.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].isBlank()) {
                throw new Invalid(ENCRYPTION_KEYS_PREVIOUS, "entry " + (i + 1) + " is empty");
            }
            keys.add(key(ENCRYPTION_KEYS_PREVIOUS, "entry " + (i + 1) + " ", entries[i]));
        }
        return List.copyOf(keys);
    }

    private static String token(String name, String value) {
        BearerTokenFilter.weakness(value).ifPresent(problem -> {
            throw new Invalid(name, problem);
        });
        return value;
    }

    private static SslMode sslMode(String value) {
        return SslMode.fromWireName(value).orElseThrow(() -> new Invalid(TENANT_DB_SSLMODE, "must be one of "
                + Stream.of(SslMode.values()).map(SslMode::wireName).collect(Collectors.joining(", "))
                + ", got '" + value + "'"));
    }

    private static Path caFile(String value) {
        Path file = path(TENANT_DB_SSLROOTCERT, value);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new Invalid(TENANT_DB_SSLROOTCERT, "must name a readable file, got '" + value + "'");
        }
        return file;
    }

    private static FlywayMigrations migrations(String value) {
        Path directory = path(TENANT_MIGRATIONS, value);
        try {
            return FlywayMigrations.fromDirectory(directory);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            // Names the directory or the file, never a migration's content.
            throw new Invalid(TENANT_MIGRATIONS, "must be a directory of Flyway SQL migrations: " + e.getMessage());
        }
    }

    private static String databasePrefix(String value) {
        try {
            // The builder's own rule, so the two never disagree.
            TenantProvisioner.builder().databasePrefix(value);
        } catch (IllegalArgumentException e) {
            throw new Invalid(DATABASE_PREFIX, "must be 1-20 characters of [a-z0-9_] starting with a letter, got '"
                    + value + "'");
        }
        return value;
    }

    private static boolean onOff(String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new Invalid(ACCESS_LOG, "must be on or off, got '" + value + "'");
        };
    }

    private static int connectionLimit(String value) {
        int limit = number(TENANT_CONNECTION_LIMIT, value, -1, MAX_CONNECTION_LIMIT);
        if (limit == 0) {
            // A tenant role that may not connect fails every verification.
            throw new Invalid(TENANT_CONNECTION_LIMIT, "must be -1 (unlimited) or a number from 1 to "
                    + MAX_CONNECTION_LIMIT + ", got 0");
        }
        return limit;
    }

    private static Duration seconds(Function<String, String> lookup, String name, Duration fallback, int min) {
        return Duration.ofSeconds(number(lookup, name, min, 86_400, Math.toIntExact(fallback.toSeconds())));
    }

    /** The variable's number, or {@code fallback} when it is unset. */
    private static int number(Function<String, String> lookup, String name, int min, int max, int fallback) {
        return optional(lookup, name).map(value -> number(name, value, min, max)).orElse(fallback);
    }

    private static int number(String name, String value, int min, int max) {
        int number;
        try {
            number = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new Invalid(name, "must be a number from " + min + " to " + max + ", got '" + value + "'");
        }
        if (number < min || number > max) {
            throw new Invalid(name, "must be a number from " + min + " to " + max + ", got " + number);
        }
        return number;
    }

    private static Path path(String name, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new Invalid(name, "is not a valid path");
        }
    }

    private static String host(String value) {
        if (!value.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':'
                || c == '_')) {
            throw new Invalid(TENANT_DB_HOST, "must be a host name or an IP address");
        }
        return value;
    }

    /**
     * Reads {@code DATABASE_URL} with the library's one URL parser ({@link PostgresUrl}): libpq and pgjdbc forms,
     * one host or several ({@code h1:5432,h2:5432}, with {@code targetServerType=primary} for a primary and its
     * standbys). The port defaults to 5432 and the database, as in libpq, to the user name.
     */
    static PostgresUrl parseDatabaseUrl(String url) {
        PostgresUrl parsed;
        try {
            parsed = PostgresUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new Invalid(DATABASE_URL, e.getMessage());
        }
        if (parsed.user().isEmpty()) {
            throw new Invalid(DATABASE_URL,
                    "has no user name (postgresql://USER:PASSWORD@host/db or ?user=USER&password=...)");
        }
        return parsed;
    }

    /**
     * Bounds on waiting for PostgreSQL, so a hung server becomes a prompt 503 rather than a hung request.
     *
     * @param connect           waiting for a pooled connection or establishing one
     * @param statement         any one statement ({@code statement_timeout}) and any one reply (socket timeout)
     * @param lease             how long a provisioning step may run before a reconciler may roll it back
     * @param reconcileInterval how often the reconciler runs while serving; zero: only at start
     */
    public record Timeouts(Duration connect, Duration statement, Duration lease, Duration reconcileInterval) {
        static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
        static final Duration DEFAULT_STATEMENT = Duration.ofSeconds(60);
        static final Duration DEFAULT_LEASE = Duration.ofSeconds(120);
        static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(60);

        /** The defaults: 5 s connect, 60 s statement, 120 s lease, reconcile every 60 s. */
        public static Timeouts defaults() {
            return new Timeouts(DEFAULT_CONNECT, DEFAULT_STATEMENT, DEFAULT_LEASE, DEFAULT_RECONCILE_INTERVAL);
        }
    }

    /**
     * A variable is malformed, or a required one is missing. The message names the variable and what is wrong,
     * never its value when that is a secret.
     */
    public static final class Invalid extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final String variable;

        Invalid(String variable, String problem) {
            super(variable + " " + problem, null, false, false);
            this.variable = variable;
        }

        /** The name of the offending variable. */
        public String variable() {
            return variable;
        }
    }
}
