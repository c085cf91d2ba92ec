package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.testing.TestPostgres;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The child process of {@link WarmPoolCrashTest}: at {@link CrashPoint#ENTRY_HALF_MADE} it refills a pool of one
 * and pauses before the entry's {@code CREATE DATABASE}; at {@link CrashPoint#BEFORE_RENAME} it fills a pool of one,
 * then provisions a tenant that claims the entry and pauses before the rename. Either way it prints
 * {@code PAUSED <point>} and waits for SIGKILL. Arguments: host port adminUser adminPassword controlDatabase prefix
 * point.
 */
final class CrashingWarmPool {

    private CrashingWarmPool() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        CrashPoint point = CrashPoint.valueOf(args[6]);
        DataSource admin = TestPostgres.dataSource(host, port, "postgres", args[2], args[3]);
        JdbcTenantStore store = new JdbcTenantStore(TestPostgres.dataSource(host, port, args[4], args[2], args[3]),
                Duration.ofMinutes(10), "crashing-warm-pool");
        UUID controlPlane = store.controlPlaneId();
        JdbcConnectionVerifier verifier = new JdbcConnectionVerifier(TenantConnector.withDefaults());
        DataSource pausing = CrashingProvisioning.pausingBefore(admin, point, Map.of(
                CrashPoint.ENTRY_HALF_MADE, "CREATE DATABASE", CrashPoint.BEFORE_RENAME, "ALTER DATABASE"));
        PostgresDatabaseCreator pausingCreator = PostgresDatabaseCreator.builder(pausing, controlPlane)
                .tenantEndpoint(host, port).build();
        if (point == CrashPoint.ENTRY_HALF_MADE) {
            PostgresWarmPool.builder(store, pausingCreator, verifier).databasePrefix(args[5]).targetSize(1).build()
                    .start();
        } else {
            PostgresDatabaseCreator creator = PostgresDatabaseCreator.builder(admin, controlPlane)
                    .tenantEndpoint(host, port).build();
            try (PostgresWarmPool filling = PostgresWarmPool.builder(store, creator, verifier)
                    .databasePrefix(args[5]).targetSize(1).checkInterval(Duration.ofMillis(100)).build().start()) {
                while (filling.status().ready() < 1) {
                    Thread.sleep(50);
                }
            }
            PostgresWarmPool claiming = PostgresWarmPool.builder(store, pausingCreator, verifier)
                    .databasePrefix(args[5]).targetSize(1).build();
            byte[] key = new byte[EncryptionKey.LENGTH];
            new SecureRandom().nextBytes(key);
            TenantProvisioner.builder().databaseCreator(creator).connectionVerifier(verifier)
                    .cipherService(new AesGcmCipherService(EncryptionKey.of(key))).tenantStore(store)
                    .databasePrefix(args[5]).warmPool(claiming).build()
                    .provision(new TenantRequest("crash " + point, Environment.PRODUCTION));
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
