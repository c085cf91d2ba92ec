package io.tenantdb.provisioning.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples {@code pg_stat_activity} on a thread of its own, on one admin connection, as fast as the server answers
 * (a short pause between samples): the sessions connected to the bench's tenant databases, by
 * {@code application_name}, keeping each name's peak, and the peak of all of them together. Thread-safe.
 */
final class SessionSampler implements AutoCloseable {

    private static final String COUNT = """
            SELECT coalesce(application_name, ''), count(*) FROM pg_stat_activity
            WHERE datname = ANY (?) GROUP BY 1""";

    private final Connection connection;
    private final PreparedStatement statement;
    private final Map<String, Integer> peaks = new ConcurrentHashMap<>();
    private final AtomicInteger totalPeak = new AtomicInteger();
    private final AtomicInteger samples = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile SQLException failure;

    SessionSampler(BenchTarget target, List<String> databases) throws SQLException {
        this.connection = target.openAdmin(BenchTarget.BENCH_APPLICATION + "-sampler");
        try {
            this.statement = connection.prepareStatement(COUNT);
            Array names = connection.createArrayOf("text", databases.toArray());
            statement.setArray(1, names);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        this.thread = new Thread(this::sample, "tenantdb-bench-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        while (running) {
            try (ResultSet rs = statement.executeQuery()) {
                int total = 0;
                while (rs.next()) {
                    peaks.merge(rs.getString(1), rs.getInt(2), Math::max);
                    total += rs.getInt(2);
                }
                totalPeak.accumulateAndGet(total, Math::max);
                samples.incrementAndGet();
                Thread.sleep(5);
            } catch (SQLException e) {
                failure = e;
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The most sessions seen at once with {@code applicationName}. */
    int peak(String applicationName) {
        return peaks.getOrDefault(applicationName, 0);
    }

    /** The most sessions seen at once in the tenant databases, whatever opened them. */
    int totalPeak() {
        return totalPeak.get();
    }

    /** Samples taken. */
    int samples() {
        return samples.get();
    }

    /** Every name's peak. */
    Map<String, Integer> peaks() {
        return new TreeMap<>(peaks);
    }

    /**
     * Stops sampling.
     *
     * @throws SQLException when a sample failed: the peaks would not cover the run
     */
    @Override
    public void close() throws SQLException {
        running = false;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
        if (failure != null) {
            throw failure;
        }
    }
}
