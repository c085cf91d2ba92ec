package io.tenantdb.provisioning.pool;

import com.zaxxer.hikari.HikariConfig;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TenantPool}'s eviction (what the budget's reclaim calls) on a real PostgreSQL: it must never leave a
 * borrower waiting in HikariCP with no connection to come, the stall {@code PoolBench} showed at a budget of 2.
 */
@ExtendWith(PostgresExtension.class)
class TenantPoolTest {

    // The waiter's own bound: without the fix it waits all of it and fails.
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final String POOL_NAME = "tenant-pool-test";

    private static PoolTestbed bed;
    private static Tenant tenant;

    private final ConnectionBudget budget = new ConnectionBudget(2);
    private TenantPool pool;
    private ExecutorService waiters;

    @BeforeAll
    static void provisionTenant(TestPostgres postgres) throws Exception {
        bed = new PoolTestbed(postgres);
        tenant = bed.provision(1, 1).get(0);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        bed.close();
    }

    @BeforeEach
    void openPool() {
        BudgetedDataSource logins = new BudgetedDataSource(bed.connections.details(tenant.id()),
                () -> bed.connections.details(tenant.id()), budget, () -> { }, TIMEOUT.toNanos(),
                TenantConnector.withDefaults());
        // As TenantDataSources configures its pools, with one connection at most.
        HikariConfig config = new HikariConfig();
        config.setPoolName(POOL_NAME);
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(TIMEOUT.toMillis());
        pool = new TenantPool(logins, config);
        waiters = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void closePool() {
        waiters.shutdownNow();
        pool.retire();
        pool.close();
    }

    @Test
    @Timeout(60)
    void anEvictionWhileAConnectionIsLentLeavesItForTheNextWaiter() throws Exception {
        Connection lent = pool.borrow().orElseThrow();
        Map<Long, Long> adderWaits = awaitIdleAdders(Map.of());
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<Integer> waiter = waiters.submit(() -> {
            waiterThread.set(Thread.currentThread());
            try (Connection connection = pool.borrow().orElseThrow()) {
                return selectOne(connection);
            }
        });
        awaitWaitingInHikari(waiterThread, waiter);
        // HikariCP's adder has looked at the waiter's request and given up: the pool is at its maximum.
        awaitIdleAdders(adderWaits);

        // The reclaim of another tenant's pool comes now. Evicting would mark the lent connection, which HikariCP
        // then closes on return instead of handing it to the waiter, and it starts no other for it.
        assertThat(pool.evictIfUnused()).isFalse();
        lent.close();

        assertThat(waiter.get(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void anEvictionOfAnUnusedPoolClosesItsIdleConnections() throws Exception {
        try (Connection connection = pool.borrow().orElseThrow()) {
            assertThat(selectOne(connection)).isEqualTo(1);
        }
        assertThat(pool.idleConnections()).isEqualTo(1);

        assertThat(pool.evictIfUnused()).isTrue();

        assertThat(pool.idleConnections()).isZero();
        assertThat(pool.isRetired()).isFalse();
        try (Connection connection = pool.borrow().orElseThrow()) {
            assertThat(selectOne(connection)).isEqualTo(1);
        }
    }

    // Until the waiter is parked in HikariCP's bag, for a connection handed off by a returning borrower (or is done).
    private static void awaitWaitingInHikari(AtomicReference<Thread> waiterThread, Future<?> waiter) {
        while (!waiter.isDone()) {
            Thread thread = waiterThread.get();
            if (thread != null && thread.getState() == Thread.State.TIMED_WAITING
                    && Arrays.stream(thread.getStackTrace())
                    .anyMatch(frame -> frame.getClassName().endsWith(".ConcurrentBag"))) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    // Until HikariCP's connection adder (if its thread still lives) waits for work, having parked again since
    // {@code before} (its thread's park counts): so it has run every task submitted meanwhile. Returns the counts.
    private static Map<Long, Long> awaitIdleAdders(Map<Long, Long> before) {
        while (true) {
            Map<Long, Long> now = new HashMap<>();
            boolean idle = true;
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                ThreadInfo info = thread.getName().startsWith(POOL_NAME + ":connection-adder") ? waits(thread) : null;
                if (info != null) {
                    now.put(thread.getId(), info.getWaitedCount());
                    idle &= waitsForWork(info) && info.getWaitedCount() > before.getOrDefault(thread.getId(), -1L);
                }
            }
            if (idle) {
                return now;
            }
            Thread.onSpinWait();
        }
    }

    // Parked for a next task, not inside one (a task's own waits are in HikariCP's PoolEntryCreator).
    private static boolean waitsForWork(ThreadInfo info) {
        return info.getThreadState() == Thread.State.TIMED_WAITING
                && Arrays.stream(info.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("getTask"))
                && Arrays.stream(info.getStackTrace())
                .noneMatch(frame -> frame.getClassName().contains("PoolEntryCreator"));
    }

    // One snapshot: its state, its stack and how often it parked so far.
    private static ThreadInfo waits(Thread thread) {
        return ManagementFactory.getThreadMXBean().getThreadInfo(thread.getId(), Integer.MAX_VALUE);
    }

    private static int selectOne(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
