package io.tenantdb.provisioning.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tenantdb.provisioning.ConnectionDetails;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * (c) What a host writes without a budget: one HikariCP pool per tenant, created at the tenant's first query and kept,
 * with HikariCP's defaults (at most 10 connections, and as many kept idle) except two waits, so that a run against a
 * full server ends in minutes: a connection timeout of {@value #CONNECTION_TIMEOUT_MILLIS} ms (HikariCP's least)
 * instead of 30 s, and no connection attempt when a pool starts (HikariCP's default tries once and then sleeps a
 * second before giving up; here the first query waits for the pool's connection instead). Its pools are closed after
 * each of its segments: left open they hold the server's slots and the other routes could not connect at all.
 */
final class PoolPerTenantRoute implements TenantRoute {

    static final long CONNECTION_TIMEOUT_MILLIS = 250;
    private static final int CLOSING_THREADS = 64;

    private final Map<UUID, ConnectionDetails> details;
    private final Map<UUID, HikariDataSource> pools = new ConcurrentHashMap<>();

    PoolPerTenantRoute(Map<UUID, ConnectionDetails> details) {
        this.details = Map.copyOf(details);
    }

    @Override
    public String key() {
        return "c";
    }

    @Override
    public String description() {
        return "HikariCP pool per tenant (defaults)";
    }

    @Override
    public String applicationName() {
        return "tenantdb-bench-route-c";
    }

    @Override
    public Connection connect(Provisioned tenant) throws SQLException {
        try {
            return pools.computeIfAbsent(tenant.tenantId(), this::open).getConnection();
        } catch (RuntimeException e) {
            // HikariCP's constructor refuses a pool whose first connection fails (the server is full).
            throw e.getCause() instanceof SQLException cause ? cause
                    : new SQLException("the tenant's pool could not start", "08001", e);
        }
    }

    private HikariDataSource open(UUID tenantId) {
        ConnectionDetails target = details.get(tenantId);
        HikariConfig config = new HikariConfig();
        config.setPoolName("bench-c-" + tenantId);
        config.setJdbcUrl(target.toJdbcUrl());
        config.setUsername(target.user());
        config.setPassword(target.password());
        config.addDataSourceProperty("ApplicationName", applicationName());
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    @Override
    public void endSegment() {
        close();
    }

    // HikariCP's close waits for the pool's connection adder, about a second while the server refuses sessions:
    // hundreds of pools closed one after another would take longer than the measurement, so close them together.
    @Override
    public void close() {
        ExecutorService closers = Executors.newFixedThreadPool(CLOSING_THREADS);
        try {
            for (UUID tenantId : pools.keySet()) {
                HikariDataSource pool = pools.remove(tenantId);
                if (pool != null) {
                    closers.execute(pool::close);
                }
            }
        } finally {
            closers.shutdown();
            try {
                closers.awaitTermination(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
