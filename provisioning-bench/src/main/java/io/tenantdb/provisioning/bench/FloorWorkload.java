package io.tenantdb.provisioning.bench;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * (a) The floor: the SQL a correct provisioning must issue, by hand, on long-lived connections as a pool would
 * give (one admin and one control-plane connection per worker, opened before timing): create the login role with
 * its comment, create the database owned by it, revoke PUBLIC and comment, then the one inherent fresh connection
 * as the new role with {@code SELECT version()}, then one synchronous transaction writing the tenant and database
 * rows the provisioner ends with into the bench's own copies of the control-plane tables (schema
 * {@value TenantCleaner#SCHEMA}, same database, same definitions; see {@link TenantCleaner}). It also sums the time of
 * each step.
 *
 * <p>Worker-confined connections; safe for concurrent use by distinct workers.
 */
final class FloorWorkload implements Workload {

    /** The steps timed separately, in order. */
    static final List<String> STEPS = List.of("create role", "create database", "revoke + comment",
            "connect as role + SELECT version()", "control-plane transaction");

    private final BenchTarget target;
    private final SecureRandom random = new SecureRandom();
    private final LongAdder[] stepNanos = new LongAdder[STEPS.size()];
    private final LongAdder operations = new LongAdder();
    private final List<Connection> adminConnections = new ArrayList<>();
    private final List<Connection> controlConnections = new ArrayList<>();
    private boolean superuser;

    FloorWorkload(BenchTarget target) {
        this.target = target;
        for (int i = 0; i < stepNanos.length; i++) {
            stepNanos[i] = new LongAdder();
        }
    }

    @Override
    public String key() {
        return "a";
    }

    @Override
    public String description() {
        return "floor: hand-written SQL on long-lived JDBC connections";
    }

    @Override
    public void open(int workers) throws SQLException {
        close();
        for (int i = 0; i < workers; i++) {
            adminConnections.add(target.openAdmin(BenchTarget.BENCH_APPLICATION));
            Connection control = target.openAdmin(BenchTarget.BENCH_APPLICATION);
            control.setAutoCommit(false);
            controlConnections.add(control);
        }
        try (Statement statement = adminConnections.get(0).createStatement();
             ResultSet rs = statement.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            superuser = rs.next() && rs.getBoolean(1);
        }
    }

    @Override
    public Provisioned provision(int worker) throws SQLException {
        UUID id = UUID.randomUUID();
        String name = SqlNames.name(SqlNames.FLOOR_PREFIX, id);
        String quoted = SqlNames.quote(name);
        String password = secret(32);
        long t0 = System.nanoTime();
        try (Statement statement = adminConnections.get(worker).createStatement()) {
            statement.execute("CREATE ROLE " + quoted + " LOGIN PASSWORD '" + password + "'; COMMENT ON ROLE "
                    + quoted + " IS '" + target.ownershipMark(id) + "'");
            if (!superuser) {
                statement.execute("GRANT " + quoted + " TO CURRENT_USER");
            }
            long t1 = System.nanoTime();
            statement.execute("CREATE DATABASE " + quoted + " OWNER " + quoted);
            long t2 = System.nanoTime();
            statement.execute("REVOKE ALL ON DATABASE " + quoted + " FROM PUBLIC; COMMENT ON DATABASE " + quoted
                    + " IS '" + target.ownershipMark(id) + "'");
            long t3 = System.nanoTime();
            verify(name, password);
            long t4 = System.nanoTime();
            store(controlConnections.get(worker), id, name);
            long t5 = System.nanoTime();
            long[] ends = {t1, t2, t3, t4, t5};
            long start = t0;
            for (int i = 0; i < ends.length; i++) {
                stepNanos[i].add(ends[i] - start);
                start = ends[i];
            }
            operations.increment();
        }
        return new Provisioned(id, name, true);
    }

    /** Mean milliseconds per step over every provisioning so far, in {@link #STEPS} order. */
    Map<String, Double> meanStepMillis() {
        Map<String, Double> means = new LinkedHashMap<>();
        long count = Math.max(1, operations.sum());
        for (int i = 0; i < STEPS.size(); i++) {
            means.put(STEPS.get(i), stepNanos[i].sum() / 1e6 / count);
        }
        return means;
    }

    private void verify(String database, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", database);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", BenchTarget.BENCH_APPLICATION);
        try (Connection connection = DriverManager.getConnection(target.tenantJdbcUrl(database), properties);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT version()")) {
            if (!rs.next()) {
                throw new SQLException("SELECT version() returned no row");
            }
        }
    }

    // The same rows the provisioner ends with, including a stand-in for the sealed connection string of the
    // same length class, in one synchronous transaction; in the bench's own tables, never the control plane's.
    private void store(Connection connection, UUID id, String database) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        try (PreparedStatement tenant = connection.prepareStatement("INSERT INTO tenantdb_bench.tenants"
                + " (id, name, environment, status, created_at, updated_at)"
                + " VALUES (?, ?, 'production', 'active', ?, ?)");
             PreparedStatement row = connection.prepareStatement("INSERT INTO tenantdb_bench.tenant_databases"
                     + " (tenant_id, database_name, role_name, connection_string_encrypted, key_id, created_at)"
                     + " VALUES (?, ?, ?, ?, ?, ?)")) {
            tenant.setObject(1, id);
            tenant.setString(2, TENANT_NAME_PREFIX + "floor-" + id);
            tenant.setTimestamp(3, now);
            tenant.setTimestamp(4, now);
            tenant.executeUpdate();
            row.setObject(1, id);
            row.setString(2, database);
            row.setString(3, database);
            row.setString(4, secret(150));
            row.setString(5, target.key().idHex());
            row.setTimestamp(6, now);
            row.executeUpdate();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    private String secret(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        for (Connection connection : concat()) {
            try {
                connection.close();
            } catch (SQLException e) {
                failure = e;
            }
        }
        adminConnections.clear();
        controlConnections.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private List<Connection> concat() {
        List<Connection> all = new ArrayList<>(adminConnections);
        all.addAll(controlConnections);
        return all;
    }
}
