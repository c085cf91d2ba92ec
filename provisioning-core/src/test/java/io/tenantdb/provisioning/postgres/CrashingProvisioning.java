package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.testing.TestPostgres;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The child process of {@link CrashRecoveryTest}: provisions one tenant with the real components and, at the
 * {@link CrashPoint} named on the command line, prints {@code PAUSED <point>} and waits to be killed with SIGKILL.
 * Arguments: host port adminUser adminPassword controlDatabase prefix point.
 */
final class CrashingProvisioning {

    /** The child's {@code Idempotency-Key} is this followed by its crash point. */
    static final String KEY_PREFIX = "crash-";

    static final String PAUSED = "PAUSED ";
    static final String KEY_VARIABLE = "CRASH_TEST_ENCRYPTION_KEY";

    private CrashingProvisioning() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String user = args[2];
        String password = args[3];
        CrashPoint point = CrashPoint.valueOf(args[6]);
        DataSource admin = pausingBefore(TestPostgres.dataSource(host, port, "postgres", user, password), point,
                Map.of(CrashPoint.AFTER_ROLE, "CREATE DATABASE", CrashPoint.AFTER_DATABASE, "REVOKE ALL"));
        DataSource controlPlane = TestPostgres.dataSource(host, port, args[4], user, password);
        // No pause inside the activation: it is one autocommitted statement, so a process dies before it is sent
        // (AFTER_ENCRYPT) or after the server committed it (AFTER_STORE), never between its write and its commit.
        DataSource control = controlPlane;
        JdbcTenantStore realStore = new JdbcTenantStore(control, Duration.ofMinutes(10), "crashing-child");
        UUID controlPlaneId = realStore.controlPlaneId();
        // The key comes through the environment so the parent can open what the child stored.
        AesGcmCipherService realCipher = new AesGcmCipherService(EncryptionKey.fromBase64(System.getenv(KEY_VARIABLE)));
        JdbcConnectionVerifier realVerifier = new JdbcConnectionVerifier(TenantConnector.withDefaults());

        TenantProvisioner provisioner = TenantProvisioner.builder()
                .databaseCreator(
                        PostgresDatabaseCreator.builder(admin, controlPlaneId).tenantEndpoint(host, port).build())
                .connectionVerifier(details -> {
                    String version = realVerifier.verify(details);
                    pauseIf(point, CrashPoint.AFTER_VERIFY);
                    return version;
                })
                .cipherService(new CipherService() {
                    @Override
                    public SealedValue encrypt(byte[] plaintext, byte[] associatedData)
                            throws GeneralSecurityException {
                        SealedValue sealed = realCipher.encrypt(plaintext, associatedData);
                        pauseIf(point, CrashPoint.AFTER_ENCRYPT);
                        return sealed;
                    }

                    @Override
                    public byte[] decrypt(String sealed, byte[] associatedData) throws GeneralSecurityException {
                        return realCipher.decrypt(sealed, associatedData);
                    }
                })
                .tenantStore(pausingStore(realStore, point))
                .idempotencyStore(new JdbcIdempotencyStore(control))
                .databasePrefix(args[5])
                .build();
        provisioner.provision(new TenantRequest("crash " + point, Environment.PRODUCTION), KEY_PREFIX + point);
        System.out.println("DONE");
        System.out.flush();
    }

    /** Pauses right after the store's activation returns, for AFTER_STORE: committed, not yet answered. */
    private static TenantStore pausingStore(JdbcTenantStore real, CrashPoint point) {
        if (point != CrashPoint.AFTER_STORE) {
            return real;
        }
        return (TenantStore) Proxy.newProxyInstance(TenantStore.class.getClassLoader(),
                new Class<?>[] {TenantStore.class}, (proxy, method, arguments) -> {
                    Object result = invoke(real, method, arguments);
                    if (method.getName().equals("activate")) {
                        pause(point);
                    }
                    return result;
                });
    }

    /** Wraps a DataSource so that the first statement starting with the point's SQL prefix first pauses. */
    static DataSource pausingBefore(DataSource real, CrashPoint point, Map<CrashPoint, String> sqlPrefixes) {
        String sqlPrefix = sqlPrefixes.get(point);
        return sqlPrefix == null ? real : proxy(DataSource.class, real, sqlPrefix, point);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T real, String sqlPrefix, CrashPoint point) {
        InvocationHandler handler = (proxy, method, arguments) -> {
            if (method.getName().equals("execute") && arguments != null && arguments.length == 1
                    && arguments[0] instanceof String sql
                    && sql.toUpperCase(Locale.ROOT).startsWith(sqlPrefix)) {
                pause(point);
            }
            Object result = invoke(real, method, arguments);
            if (result instanceof Connection connection) {
                return proxy(Connection.class, connection, sqlPrefix, point);
            }
            if (result instanceof Statement statement && !(result instanceof java.sql.PreparedStatement)) {
                return proxy(Statement.class, statement, sqlPrefix, point);
            }
            return result;
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] arguments)
            throws Throwable {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void pauseIf(CrashPoint point, CrashPoint here) {
        if (point == here) {
            pause(here);
        }
    }

    static void pause(CrashPoint point) {
        System.out.println(PAUSED + point);
        System.out.flush();
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
