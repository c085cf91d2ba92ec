package io.tenantdb.provisioning.example;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tenantdb.provisioning.AuditLogListener;
import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantSchemas;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.flyway.FleetMigrator;
import io.tenantdb.provisioning.flyway.FlywayInitializer;
import io.tenantdb.provisioning.flyway.FlywayMigrations;
import io.tenantdb.provisioning.micrometer.ProvisioningMetrics;
import io.tenantdb.provisioning.micrometer.TenantStatusMetrics;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;
import io.tenantdb.provisioning.postgres.PostgresProvisioning;
import io.tenantdb.provisioning.postgres.PostgresWarmPool;
import io.tenantdb.provisioning.postgres.RegistryReconciler;
import io.tenantdb.provisioning.postgres.TenantConnector;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * The provisioning side of the example, shared by the runnable jar, the WAR and the operational commands: one
 * HikariCP pool on the admin database (it holds the control plane and issues the DDL on the {@code default}
 * server) and the core's {@link PostgresProvisioning} over it, with the audit log, {@link ProvisioningMetrics}, the
 * settings of {@link Configuration} and, with {@code TENANT_MIGRATIONS}, the Flyway initializer and fleet migrator.
 * Its Prometheus registry ({@link #metrics()}) holds the provisioning meters, the control-plane pool's HikariCP
 * meters and the JVM's memory, GC, thread and processor meters.
 *
 * <p>Thread-safe. {@link #close()} closes the provisioning, then the pool; call it only after HTTP requests have
 * drained.
 */
public final class ProvisioningApplication implements AutoCloseable {

    /** Upper bound of control-plane and DDL connections. */
    public static final int MAX_POOL_SIZE = 10;
    /** The database prefix of the example's tenants when {@code DATABASE_PREFIX} is unset. */
    public static final String DATABASE_PREFIX = TenantProvisioner.Builder.DEFAULT_DATABASE_PREFIX;

    private final HikariDataSource pool;
    private final PostgresProvisioning provisioning;
    private final AesGcmCipherService cipher;
    private final Optional<FlywayMigrations> migrations;
    private final TenantSchemas schemas;
    private final PrometheusMeterRegistry metrics;
    private final JvmGcMetrics gcMetrics;

    private ProvisioningApplication(HikariDataSource pool, PostgresProvisioning provisioning,
                                    AesGcmCipherService cipher, Optional<FlywayMigrations> migrations,
                                    PrometheusMeterRegistry metrics, JvmGcMetrics gcMetrics) {
        this.pool = pool;
        this.provisioning = provisioning;
        this.cipher = cipher;
        this.migrations = migrations;
        this.schemas = provisioning.schemas(() -> migrations.flatMap(FlywayMigrations::latestVersion));
        this.metrics = metrics;
        this.gcMetrics = gcMetrics;
    }

    /**
     * Opens the pool, applies the control-plane schema and builds the provisioner.
     *
     * @param configuration tenant endpoint, TLS and connection-limit settings, previous keys and timeouts
     * @param admin         the admin connection (CREATEDB and CREATEROLE; holds the control plane)
     * @param primaryKey    seals new connection strings
     * @throws SQLException when the admin database cannot be reached or the schema cannot be applied
     */
    public static ProvisioningApplication start(Configuration configuration, PostgresUrl admin,
                                                EncryptionKey primaryKey) throws SQLException {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(admin, "admin");
        Configuration.Timeouts timeouts = configuration.timeouts();
        HikariConfig config = new HikariConfig();
        config.setPoolName("tenantdb-control-plane");
        config.setJdbcUrl(admin.jdbcUrl());
        // Loads and so registers the driver through this class's loader. In a WAR, DriverManager may hold only a
        // container-level copy it will not hand to the web application ("No suitable driver").
        config.setDriverClassName("org.postgresql.Driver");
        config.setUsername(admin.user().orElseThrow());
        admin.password().ifPresent(config::setPassword);
        admin.jdbcProperties().forEach(config::addDataSourceProperty);
        config.setMaximumPoolSize(MAX_POOL_SIZE);
        // Bounded waits turn an unreachable or hung control plane into a prompt 503, never a hung request.
        config.setConnectionTimeout(timeouts.connect().toMillis());
        long statementMillis = timeouts.statement().toMillis();
        config.addDataSourceProperty("connectTimeout", Long.toString(timeouts.connect().toSeconds()));
        config.addDataSourceProperty("options", "-c statement_timeout=" + statementMillis);
        // The socket outlives the statement timeout a little, so the server's own cancellation is what normally fires.
        config.addDataSourceProperty("socketTimeout", Long.toString(timeouts.statement().toSeconds() + 5));
        config.addDataSourceProperty("ApplicationName", "tenantdb-provisioning-example");
        // Server error details can quote row values (tenant names); keep them out of exceptions and logs.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        // The pool runs both the tenants' DDL and the control plane's statements; that DDL never changes a table
        // those statements read, so it need not flush their server-side prepared statements (pgjdbc's default).
        config.addDataSourceProperty("flushCacheOnDdl", "false");
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        config.setMetricRegistry(metrics);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            metrics.close();
            throw new SQLException("cannot connect to " + admin, "08001", e.getCause());
        }
        try {
            AesGcmCipherService cipher = new AesGcmCipherService(primaryKey, configuration.previousKeys());
            // The driver instance itself, so tenant connections work in a WAR whatever DriverManager sees.
            TenantConnector driverConnector = new TenantConnector(new org.postgresql.Driver(), timeouts.connect(),
                    timeouts.statement().plusSeconds(5));
            PostgresProvisioning.Builder builder = PostgresProvisioning.builder(pool, cipher)
                    .tenantEndpoint(configuration.tenantDbHost().orElse(admin.host()),
                            configuration.tenantDbPort().orElse(admin.portOrDefault()))
                    .lease(timeouts.lease())
                    .idempotencyRetention(configuration.idempotencyRetention())
                    .tenantConnector(configuration.tenantSslRootCert().map(driverConnector::withSslRootCert)
                            .orElse(driverConnector))
                    .creatorSettings(creator -> {
                        creator.connectionLimit(configuration.tenantConnectionLimit());
                        configuration.tenantSslMode().ifPresent(creator::tenantSslMode);
                    })
                    .databasePrefix(configuration.databasePrefix())
                    .warmPoolSize(configuration.warmPoolSize())
                    .listener(new AuditLogListener())
                    .listener(new ProvisioningMetrics(metrics));
            configuration.tenantMigrations().ifPresent(migrations -> builder.databaseInitializer(
                    (connector, versions) -> new FlywayInitializer(migrations, connector, versions)));
            PostgresProvisioning provisioning = builder.build();

            new JvmMemoryMetrics().bindTo(metrics);
            new JvmThreadMetrics().bindTo(metrics);
            new ProcessorMetrics().bindTo(metrics);
            new TenantStatusMetrics(provisioning.store()::countByStatus).bindTo(metrics);
            JvmGcMetrics gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(metrics);
            return new ProvisioningApplication(pool, provisioning, cipher, configuration.tenantMigrations(), metrics,
                    gcMetrics);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            metrics.close();
            throw e;
        }
    }

    /** The meters of this application, for {@code GET /metrics}. */
    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** The provisioner, for the servlet. */
    public TenantProvisioner provisioner() {
        return provisioning.provisioner();
    }

    /** The warm pool ({@code WARM_POOL_SIZE}), for the servlet and the benchmark. */
    public PostgresWarmPool warmPool() {
        return provisioning.warmPool();
    }

    /** The recorded schema versions against the latest of {@code TENANT_MIGRATIONS}, for the servlet. */
    public TenantSchemas schemas() {
        return schemas;
    }

    /** The fleet migrator over {@code TENANT_MIGRATIONS}; empty when it is unset. */
    public Optional<FleetMigrator> fleetMigrator() {
        return migrations.map(this::fleetMigrator);
    }

    /** A fleet migrator over other migrations (the benchmark's), with this application's tenants and connections. */
    public FleetMigrator fleetMigrator(FlywayMigrations other) {
        return new FleetMigrator(provisioning.store(), provisioning.store(), provisioning.connections(),
                provisioning.connector(), Objects.requireNonNull(other, "other"));
    }

    /** The cipher that seals and opens connection strings, for operational tooling. */
    public AesGcmCipherService cipher() {
        return cipher;
    }

    /** The PostgreSQL servers tenants are placed on, for the servlet and the {@code rekey} command. */
    public ServerRegistry servers() {
        return provisioning.servers();
    }

    /** Creates and drops tenant databases on the default server, marked with this control plane's id. */
    public PostgresDatabaseCreator creator() {
        return provisioning.creator();
    }

    /** Decrypted tenant connections and re-keying, for hosts and the {@code rekey} command. */
    public TenantConnections connections() {
        return provisioning.connections();
    }

    /**
     * Runs one reconciler pass per registered server and purges expired idempotency keys (not in a dry run).
     *
     * @throws SQLException when PostgreSQL fails
     */
    public RegistryReconciler.Result reconcile(boolean dryRun) throws SQLException {
        return provisioning.reconcile(dryRun);
    }

    /** Starts the reconciler: one pass now, then every {@code interval} (zero: only now). Stopped by close. */
    public void startMaintenance(java.time.Duration interval) {
        provisioning.startMaintenance(interval);
    }

    /** True when a control-plane connection can be had and answers, within the pool's connection timeout. */
    public boolean controlPlaneAnswers() {
        try (Connection connection = pool.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        provisioning.close();
        pool.close();
        gcMetrics.close();
        metrics.close();
    }
}
