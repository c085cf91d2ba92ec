package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.postgres.JdbcConnectionVerifier;
import io.tenantdb.provisioning.postgres.JdbcTenantStore;
import io.tenantdb.provisioning.postgres.PostgresDatabaseCreator;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.testing.Concurrently;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Real provisioning on the shared test server for the Flyway tests: a control database of its own, a random key and
 * a database prefix of its own, so counting and cleaning up never touches another test's objects.
 */
final class Fleet implements AutoCloseable {

    final TestPostgres postgres;
    final String prefix;
    final String controlDatabase;
    final byte[] key = new byte[EncryptionKey.LENGTH];
    final TenantConnector connector = TenantConnector.withDefaults();
    final JdbcTenantStore store;
    final PostgresDatabaseCreator creator;
    final AesGcmCipherService cipher;
    final TenantConnections connections;

    Fleet(TestPostgres postgres) throws SQLException {
        this.postgres = postgres;
        SecureRandom random = new SecureRandom();
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        this.prefix = "f" + HexFormat.of().formatHex(suffix) + "_";
        random.nextBytes(key);
        this.cipher = new AesGcmCipherService(EncryptionKey.of(key));
        this.controlDatabase = postgres.createDatabase("flyway_control_");
        this.store = new JdbcTenantStore(postgres.dataSource(controlDatabase));
        store.migrate();
        this.creator = PostgresDatabaseCreator.builder(postgres.adminDataSource(), store.controlPlaneId())
                .tenantEndpoint(postgres.host(), postgres.port()).build();
        this.connections = new TenantConnections(store, cipher);
    }

    /** A provisioner of this fleet, with {@code initializer} when not null. */
    TenantProvisioner provisioner(FlywayInitializer initializer) {
        TenantProvisioner.Builder builder = TenantProvisioner.builder()
                .databaseCreator(creator)
                .connectionVerifier(new JdbcConnectionVerifier(connector))
                .cipherService(cipher)
                .tenantStore(store)
                .databasePrefix(prefix);
        if (initializer != null) {
            builder.databaseInitializer(initializer);
        }
        return builder.build();
    }

    FleetMigrator migrator(FlywayMigrations migrations) {
        return new FleetMigrator(store, store, connections, connector, migrations);
    }

    /** Provisions {@code count} tenants without migrations, four at a time. */
    List<Tenant> provision(int count) throws Exception {
        return Concurrently.provision(provisioner(null), count, 4, i -> "tenant " + i + " " + System.nanoTime());
    }

    /** A fresh directory holding these migrations (file name to SQL). */
    static Path migrations(Path parent, String name, Map<String, String> files) throws IOException {
        Path directory = Files.createDirectories(parent.resolve(name));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(directory.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        return directory;
    }

    /** Admin connections to a tenant's database. */
    DataSource tenantDatabase(Tenant tenant) {
        return postgres.dataSource(tenant.databaseName());
    }

    /** Forgets every recorded schema version, so a test starts from a fleet never migrated. */
    void forgetRecordedVersions() throws SQLException {
        Sql.execute(postgres.dataSource(controlDatabase), "DELETE FROM control_plane.tenant_schemas");
    }

    List<String> databasesWithPrefix() throws SQLException {
        return Sql.strings(postgres.adminDataSource(),
                "SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY 1", prefix);
    }

    List<String> rolesWithPrefix() throws SQLException {
        return Sql.strings(postgres.adminDataSource(),
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, ?) ORDER BY 1", prefix);
    }

    /** Drops every database and role with this fleet's prefix, and the control database. */
    @Override
    public void close() throws SQLException {
        store.close();
        DataSource admin = postgres.adminDataSource();
        for (String database : databasesWithPrefix()) {
            Sql.execute(admin, "DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
        }
        Sql.execute(admin, "DROP DATABASE IF EXISTS \"" + controlDatabase + "\" WITH (FORCE)");
        for (String role : rolesWithPrefix()) {
            Sql.execute(admin, "DROP ROLE IF EXISTS \"" + role + "\"");
        }
    }
}
