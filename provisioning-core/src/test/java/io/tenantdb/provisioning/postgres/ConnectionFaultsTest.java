package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.testing.Sql;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lost connections, unreachable and hung servers, and load, against a real PostgreSQL. */
@ExtendWith(RealProvisioningExtension.class)
class ConnectionFaultsTest {

    private static final int CONCURRENT = 50;

    private RealProvisioning real;

    @BeforeEach
    void setUp(RealProvisioning real) throws Exception {
        this.real = real;
    }

    @ParameterizedTest(name = "connection cut after {0}")
    @ValueSource(strings = {"CREATE ROLE", "CREATE DATABASE"})
    void aConnectionCutMidProvisioningIsCompensatedAndReportedAsUnavailable(String statement) throws Exception {
        DataSource cutting = cuttingAfter(real.postgres.adminDataSource(), statement);
        TenantProvisioner provisioner = real.builder()
                .databaseCreator(PostgresDatabaseCreator.builder(cutting, real.store.controlPlaneId())
                        .tenantEndpoint(real.postgres.host(), real.postgres.port()).build())
                .build();

        assertThatThrownBy(() -> provisioner.provision(new TenantRequest("Cut", Environment.PRODUCTION)))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE));

        assertNothingLeft();
    }

    /**
     * The port is bound by a socket that does not listen, so connections to it are refused and no other process can
     * take it while the test runs. The admin connections are recorded: nothing may reach the cluster, because
     * reserving the tenant in the (unreachable) control plane comes first.
     */
    @Test
    void anUnreachableControlPlaneIsUnavailableAndNothingReachesTheCluster() throws Exception {
        try (Socket bound = new Socket()) {
            bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            RecordingDataSource admin = new RecordingDataSource();
            TenantProvisioner provisioner = real.builder()
                    .databaseCreator(recordedCreator(admin))
                    .tenantStore(new JdbcTenantStore(dataSource(bound.getLocalPort()))).build();

            assertThatThrownBy(() -> provisioner.provision(new TenantRequest("Nowhere", Environment.PRODUCTION)))
                    .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE);
                        assertThat(causes(e)).anyMatch(ConnectException.class::isInstance);
                    });
            assertThat(admin.statements()).isEmpty();
            assertNoObjectsLeft();
        }
    }

    /**
     * The listener accepts and never answers: the store's connections give up on their login timeout (1 s), the
     * provisioning is unavailable for that reason, and nothing reaches the cluster. The JUnit timeout only stops a
     * hang; it measures nothing.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aHungControlPlaneTurnsIntoUnavailableThroughTheConfiguredTimeout() throws Exception {
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(hung.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            RecordingDataSource admin = new RecordingDataSource();
            TenantProvisioner provisioner = real.builder()
                    .databaseCreator(recordedCreator(admin))
                    .tenantStore(new JdbcTenantStore(dataSource(hung.getLocalPort()))).build();

            assertThatThrownBy(() -> provisioner.provision(new TenantRequest("Hung", Environment.PRODUCTION)))
                    .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE);
                        // pgjdbc's login timeout (1 s) ends the attempt; its socket timeout would say "Read timed out".
                        assertThat(causes(e)).anyMatch(cause -> cause instanceof SocketTimeoutException
                                || cause instanceof SQLException sql && "08001".equals(sql.getSQLState())
                                && String.valueOf(sql.getMessage()).contains("timed out"));
                    });
            assertThat(accepted).as("the store did reach the hung listener").isNotEmpty();
            assertThat(admin.statements()).isEmpty();
            assertNoObjectsLeft();
        }
    }

    @Test
    void fiftyConcurrentProvisionsGiveFiftyWorkingDatabases() throws Exception {
        TenantProvisioner provisioner = real.builder().build();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
        try {
            // Every thread waits at the gate, so the provisionings really start together.
            CountDownLatch ready = new CountDownLatch(CONCURRENT);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Tenant>> results = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                TenantRequest request = new TenantRequest("Load " + i, Environment.PRODUCTION);
                results.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return provisioner.provision(request);
                }));
            }
            ready.await();
            go.countDown();
            Set<String> databases = new HashSet<>();
            for (Future<Tenant> result : results) {
                Tenant tenant = result.get();
                assertThat(real.verifier.verify(real.storedDetails(tenant.id()))).startsWith("PostgreSQL");
                databases.add(tenant.databaseName());
            }
            assertThat(databases).hasSize(CONCURRENT);
            assertThat(real.databasesWithPrefix()).containsExactlyInAnyOrderElementsOf(databases);
        } finally {
            pool.shutdownNow();
        }
    }

    /** No database, no role, and no row in the control plane the provisioner under test used. */
    private void assertNothingLeft() throws Exception {
        assertNoObjectsLeft();
        assertThat(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT count(*) FROM control_plane.tenants")).containsExactly("0");
    }

    private void assertNoObjectsLeft() throws Exception {
        assertThat(real.databasesWithPrefix()).isEmpty();
        assertThat(real.rolesWithPrefix()).isEmpty();
    }

    private PostgresDatabaseCreator recordedCreator(RecordingDataSource recording) throws SQLException {
        return PostgresDatabaseCreator
                .builder(recording.wrap(real.postgres.adminDataSource()), real.store.controlPlaneId())
                .tenantEndpoint(real.postgres.host(), real.postgres.port()).build();
    }

    private static List<Throwable> causes(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }

    /** A control plane on a port where nothing or a silent listener answers; bounded by short timeouts. */
    private static DataSource dataSource(int port) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"127.0.0.1"});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName("control");
        dataSource.setUser("nobody");
        dataSource.setConnectTimeout(1);
        dataSource.setLoginTimeout(1);
        dataSource.setSocketTimeout(1);
        return dataSource;
    }

    /**
     * Admin connections whose first session is terminated by the server right after {@code statement} runs, as
     * when a network link or a PostgreSQL backend dies mid-provisioning. Later sessions (compensation) work.
     */
    private static DataSource cuttingAfter(DataSource real, String statement) {
        AtomicBoolean cut = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, arguments) -> {
                    Object result = invoke(real, method, arguments);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                Object made = invoke(connection, m, a);
                                if (!(made instanceof Statement created)
                                        || made instanceof java.sql.PreparedStatement) {
                                    return made;
                                }
                                return Proxy.newProxyInstance(Statement.class.getClassLoader(),
                                        new Class<?>[] {Statement.class}, (sp, sm, sa) -> {
                                            Object out = invoke(created, sm, sa);
                                            if (sm.getName().equals("execute") && sa[0] instanceof String sql
                                                    && sql.toUpperCase(Locale.ROOT).startsWith(statement)
                                                    && cut.compareAndSet(false, true)) {
                                                try (Statement killer = real.getConnection().createStatement()) {
                                                    killer.execute("SELECT pg_terminate_backend(pid) FROM"
                                                            + " pg_stat_activity WHERE pid = "
                                                            + pid(connection));
                                                }
                                            }
                                            return out;
                                        });
                            });
                });
    }

    private static int pid(Connection connection) throws Exception {
        return connection.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] arguments) throws Throwable {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
