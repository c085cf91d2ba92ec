package io.tenantdb.provisioning.pool;

import io.tenantdb.provisioning.SslMode;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.postgres.JdbcConnectionVerifier;
import io.tenantdb.provisioning.postgres.JdbcTenantStore;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.spi.ProvisioningListener;
import io.tenantdb.provisioning.testing.Concurrently;
import io.tenantdb.provisioning.testing.TestPostgres;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Real provisioning on the shared test server, with a control database and a name prefix of its own, so counting
 * sessions and cleaning up never touch another test's objects. Events go to whatever {@link #listenTo} names last.
 */
final class PoolTestbed implements AutoCloseable {

    final TestPostgres postgres;
    final String prefix;
    final String controlDatabase;
    final JdbcTenantStore store;
    final AesGcmCipherService cipher;
    final TenantProvisioner provisioner;
    final TenantConnections connections;
    private final AtomicInteger names = new AtomicInteger();
    private final AtomicReference<ProvisioningListener> listener = new AtomicReference<>(event -> { });

    PoolTestbed(TestPostgres postgres) throws SQLException {
        this(postgres, postgres.host(), Optional.empty(), TenantConnector.withDefaults());
    }

    /**
     * A testbed whose tenants are reached at {@code tenantHost} with {@code sslMode} in their connection strings,
     * verified through {@code verifierConnector}.
     */
    PoolTestbed(TestPostgres postgres, String tenantHost, Optional<SslMode> sslMode,
                TenantConnector verifierConnector) throws SQLException {
        this.postgres = postgres;
        byte[] suffix = new byte[4];
        SecureRandom random = new SecureRandom();
        random.nextBytes(suffix);
        this.prefix = "p" + HexFormat.of().formatHex(suffix) + "_";
        byte[] key = new byte[EncryptionKey.LENGTH];
        random.nextBytes(key);
        this.cipher = new AesGcmCipherService(EncryptionKey.of(key));
        this.controlDatabase = postgres.createDatabase("control_");
        this.store = new JdbcTenantStore(postgres.dataSource(controlDatabase));
        store.migrate();
        PostgresDatabaseCreator.Builder creator = PostgresDatabaseCreator.builder(postgres.adminDataSource(),
                store.controlPlaneId()).tenantEndpoint(tenantHost, postgres.port());
        sslMode.ifPresent(creator::tenantSslMode);
        this.provisioner = TenantProvisioner.builder()
                .databaseCreator(creator.build())
                .connectionVerifier(new JdbcConnectionVerifier(verifierConnector))
                .cipherService(cipher)
                .tenantStore(store)
                .databasePrefix(prefix)
                .listener(event -> listener.get().onEvent(event))
                .build();
        this.connections = new TenantConnections(store, cipher);
    }

    /** Sends the provisioner's events to {@code target} from now on. */
    void listenTo(ProvisioningListener target) {
        listener.set(target);
    }

    /** Provisions {@code count} tenants on {@code threads} threads. */
    List<Tenant> provision(int count, int threads) throws Exception {
        return Concurrently.provision(provisioner, count, threads, i -> "Tenant " + names.incrementAndGet());
    }

    /**
     * Sessions of this testbed's tenant roles opened by tenant pools that the server counts now. The provisioner's
     * own tenant sessions (the verification after a create or a rotation) are not the pools' and not counted.
     */
    int pooledSessions(Connection admin) throws SQLException {
        return count(admin, "SELECT count(*) FROM pg_stat_activity WHERE starts_with(usename, ?)"
                + " AND application_name = 'tenantdb-pool'", prefix);
    }

    /** Sessions of one tenant role the server counts now. */
    int sessionsOf(Connection admin, Tenant tenant) throws SQLException {
        return count(admin, "SELECT count(*) FROM pg_stat_activity WHERE usename = ?", tenant.databaseName());
    }

    static String currentDatabase(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int count(Connection admin, String sql, String parameter) throws SQLException {
        try (PreparedStatement statement = admin.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Drops every database and role with this testbed's prefix, and the control database. The databases are dropped
     * on eight sessions at once: each drop waits for a checkpoint, and concurrent drops share theirs.
     */
    @Override
    public void close() throws Exception {
        store.close();
        List<String> databases;
        try (Connection admin = postgres.adminDataSource().getConnection()) {
            databases = names(admin, "SELECT datname FROM pg_database WHERE starts_with(datname, ?)");
        }
        databases.add(controlDatabase);
        ExecutorService droppers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> drops = new ArrayList<>();
            for (String database : databases) {
                drops.add(droppers.submit(() -> {
                    try (Connection admin = postgres.adminDataSource().getConnection();
                         Statement statement = admin.createStatement()) {
                        statement.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
                    }
                    return null;
                }));
            }
            for (Future<?> drop : drops) {
                drop.get();
            }
        } finally {
            droppers.shutdownNow();
        }
        try (Connection admin = postgres.adminDataSource().getConnection();
             Statement statement = admin.createStatement()) {
            for (String role : names(admin, "SELECT rolname FROM pg_roles WHERE starts_with(rolname, ?)")) {
                statement.execute("DROP ROLE IF EXISTS \"" + role + "\"");
            }
        }
    }

    private List<String> names(Connection admin, String sql) throws SQLException {
        try (PreparedStatement statement = admin.prepareStatement(sql)) {
            statement.setString(1, prefix);
            List<String> names = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }
}
