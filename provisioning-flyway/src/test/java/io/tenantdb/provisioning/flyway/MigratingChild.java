package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.postgres.JdbcTenantStore;
import io.tenantdb.provisioning.postgres.TenantConnector;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Path;

/**
 * A fleet run in a JVM of its own, for {@link FleetMigratorTest} to kill with SIGKILL half-way. Arguments: host,
 * port, admin user, admin password, control database, migrations directory, Flyway schema; the key comes in
 * {@link #KEY_VARIABLE}. Prints {@link #DONE} and the tenant id for each tenant it finishes.
 */
final class MigratingChild {

    static final String KEY_VARIABLE = "CHILD_ENCRYPTION_KEY";
    static final String DONE = "done ";

    private MigratingChild() {
    }

    public static void main(String[] args) {
        PGSimpleDataSource control = new PGSimpleDataSource();
        control.setServerNames(new String[] {args[0]});
        control.setPortNumbers(new int[] {Integer.parseInt(args[1])});
        control.setUser(args[2]);
        control.setPassword(args[3]);
        control.setDatabaseName(args[4]);
        JdbcTenantStore store = new JdbcTenantStore(control);
        TenantConnections connections = new TenantConnections(store,
                new AesGcmCipherService(EncryptionKey.fromBase64(System.getenv(KEY_VARIABLE))));
        String schema = args[6];
        FleetMigrator migrator = new FleetMigrator(store, store, connections, TenantConnector.withDefaults(),
                FlywayMigrations.fromDirectory(Path.of(args[5]), configuration -> configuration.schemas(schema)));
        migrator.run(new FleetRun(2, 0, false), outcome -> {
            System.out.println(DONE + outcome.tenantId() + " " + outcome.result());
            System.out.flush();
        });
    }
}
