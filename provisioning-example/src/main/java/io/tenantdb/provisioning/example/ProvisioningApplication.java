package io.tenantdb.provisioning.example;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.postgres.JdbcConnectionVerifier;
import io.tenantdb.provisioning.postgres.JdbcTenantStore;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;
import io.tenantdb.provisioning.postgres.TenantConnector;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The provisioning side of the example, shared by the runnable jar and the WAR: one HikariCP pool on the admin
 * database (it holds the control plane and issues the DDL), the control-plane schema applied, and a
 * {@link TenantProvisioner} wired from the PostgreSQL and AES-GCM implementations.
 *
 * <p>Thread-safe. {@link #close()} closes the pool; call it only after HTTP requests have drained.
 */
public final class ProvisioningApplication implements AutoCloseable {

    /** Upper bound of control-plane and DDL connections. */
    public static final int MAX_POOL_SIZE = 10;

    private static final System.Logger LOG = System.getLogger(ProvisioningApplication.class.getName());

    private final HikariDataSource pool;
    private final TenantProvisioner provisioner;
    private final AesGcmCipherService cipher;

    private ProvisioningApplication(HikariDataSource pool, TenantProvisioner provisioner, AesGcmCipherService cipher) {
        this.pool = pool;
        this.provisioner = provisioner;
        this.cipher = cipher;
    }

    /**
     * Opens the pool, applies the control-plane schema and builds the provisioner.
     *
     * @param admin        the admin connection (CREATEDB and CREATEROLE; holds the control plane)
     * @param tenantHost   host written into tenants' connection strings
     * @param tenantPort   port written into tenants' connection strings
     * @param primaryKey   seals new connection strings
     * @param previousKeys decrypt only
     * @throws SQLException when the admin database cannot be reached or the schema cannot be applied
     */
    public static ProvisioningApplication start(Configuration.Database admin, String tenantHost, int tenantPort,
                                                EncryptionKey primaryKey, List<EncryptionKey> previousKeys)
            throws SQLException {
        Objects.requireNonNull(admin, "admin");
        HikariConfig config = new HikariConfig();
        config.setPoolName("tenantdb-control-plane");
        config.setJdbcUrl(admin.jdbcUrl());
        // Loads and so registers the driver through this class's loader. In a WAR, DriverManager may hold only a
        // container-level copy it will not hand to the web application ("No suitable driver"), and the core's
        // TenantConnector goes through DriverManager too.
        config.setDriverClassName("org.postgresql.Driver");
        config.setUsername(admin.user());
        admin.password().ifPresent(config::setPassword);
        admin.properties().forEach(config::addDataSourceProperty);
        config.setMaximumPoolSize(MAX_POOL_SIZE);
        // A short wait for a connection turns an unreachable control plane into a prompt 503, not a hung request.
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        config.addDataSourceProperty("ApplicationName", "tenantdb-provisioning-example");
        // Server error details can quote row values (tenant names); keep them out of exceptions and logs.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new SQLException("cannot connect to " + admin, "08001", e.getCause());
        }
        try {
            JdbcTenantStore store = new JdbcTenantStore(pool);
            int applied = store.migrate();
            LOG.log(System.Logger.Level.INFO, "control-plane schema ready ({0} version(s) applied now)", applied);
            AesGcmCipherService cipher = new AesGcmCipherService(primaryKey, previousKeys);
            TenantProvisioner provisioner = TenantProvisioner.builder()
                    .databaseCreator(PostgresDatabaseCreator.builder(pool).tenantEndpoint(tenantHost, tenantPort).build())
                    .connectionVerifier(new JdbcConnectionVerifier(TenantConnector.withDefaults()))
                    .cipherService(cipher)
                    .tenantStore(store)
                    .build();
            return new ProvisioningApplication(pool, provisioner, cipher);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** The provisioner, for the servlet. */
    public TenantProvisioner provisioner() {
        return provisioner;
    }

    /** The cipher that seals and opens connection strings, for operational tooling. */
    public AesGcmCipherService cipher() {
        return cipher;
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
        pool.close();
    }
}
