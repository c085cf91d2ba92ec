package io.tenantdb.provisioning.bench;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The background population of the cost-growth runs: tenant databases, each with its owner role and
 * control-plane rows, as a provisioning would leave them. Grows on demand, removed by {@link #removeAll}.
 * Not thread-safe (it uses threads of its own inside {@link #growTo}).
 */
final class ExistingTenants {

    private static final int THREADS = 2;

    private final BenchTarget target;
    private final List<Provisioned> created = Collections.synchronizedList(new ArrayList<>());
    private final SecureRandom random = new SecureRandom();

    ExistingTenants(BenchTarget target) {
        this.target = target;
    }

    /** How many exist now. */
    int count() {
        return created.size();
    }

    /**
     * Creates tenants until {@code total} exist, on two connections in parallel.
     *
     * @param progress called with the running count every 100 tenants
     */
    void growTo(int total, IntConsumer progress) throws Exception {
        AtomicInteger remaining = new AtomicInteger(total - created.size());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Void>> workers = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                workers.add(pool.submit(() -> {
                    try (Connection connection = target.openAdmin(BenchTarget.BENCH_APPLICATION)) {
                        while (remaining.getAndDecrement() > 0) {
                            created.add(createOne(connection));
                            if (created.size() % 100 == 0) {
                                progress.accept(created.size());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Removes every tenant created here. */
    void removeAll(TenantCleaner cleaner) throws SQLException {
        synchronized (created) {
            cleaner.remove(created);
            created.clear();
        }
    }

    private Provisioned createOne(Connection connection) throws SQLException {
        UUID id = UUID.randomUUID();
        String name = SqlNames.name(SqlNames.EXISTING_PREFIX, id);
        String quoted = SqlNames.quote(name);
        byte[] password = new byte[32];
        random.nextBytes(password);
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            // A failure part-way leaves objects with the bench's prefix, which the final sweep removes.
            statement.execute("CREATE ROLE " + quoted + " LOGIN PASSWORD '"
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(password) + "'; COMMENT ON ROLE " + quoted
                    + " IS '" + target.ownershipMark(id) + "'");
            // Needed by a non-superuser admin to own-create; harmless for a superuser.
            statement.execute("GRANT " + quoted + " TO CURRENT_USER");
            statement.execute("CREATE DATABASE " + quoted + " OWNER " + quoted);
            statement.execute("REVOKE ALL ON DATABASE " + quoted + " FROM PUBLIC; COMMENT ON DATABASE " + quoted
                    + " IS '" + target.ownershipMark(id) + "'");
        }
        connection.setAutoCommit(false);
        try (PreparedStatement tenant = connection.prepareStatement("INSERT INTO control_plane.tenants"
                + " (id, name, environment, status, created_at, updated_at) VALUES (?, ?, 'production', 'active', now(), now())");
             PreparedStatement database = connection.prepareStatement("INSERT INTO control_plane.tenant_databases"
                     + " (tenant_id, database_name, role_name, created_at) VALUES (?, ?, ?, now())")) {
            tenant.setObject(1, id);
            tenant.setString(2, Workload.TENANT_NAME_PREFIX + "existing-" + id);
            tenant.executeUpdate();
            database.setObject(1, id);
            database.setString(2, name);
            database.setString(3, name);
            database.executeUpdate();
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
        return new Provisioned(id, name);
    }
}
