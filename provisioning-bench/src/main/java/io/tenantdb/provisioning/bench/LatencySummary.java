package io.tenantdb.provisioning.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Latency percentiles and throughput of one workload at one setting.
 *
 * @param count      operations measured
 * @param p50Millis  median latency
 * @param p95Millis  95th percentile latency
 * @param p99Millis  99th percentile latency
 * @param meanMillis arithmetic mean latency
 * @param perSecond  operations per second of wall-clock time spent in the measured rounds
 */
record LatencySummary(int count, double p50Millis, double p95Millis, double p99Millis, double meanMillis,
                      double perSecond) {

    /**
     * Summarizes latencies measured in rounds that together took {@code wallNanos}.
     *
     * @throws IllegalArgumentException when there are no latencies or the wall time is not positive
     */
    static LatencySummary of(List<Long> latencyNanos, long wallNanos) {
        if (latencyNanos.isEmpty()) {
            throw new IllegalArgumentException("no latencies to summarize");
        }
        if (wallNanos <= 0) {
            throw new IllegalArgumentException("wall time must be positive");
        }
        long[] sorted = latencyNanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElseThrow();
        return new LatencySummary(sorted.length, millis(percentile(sorted, 50)), millis(percentile(sorted, 95)),
                millis(percentile(sorted, 99)), mean / 1e6, sorted.length / (wallNanos / 1e9));
    }

    /**
     * The nearest-rank percentile: the smallest value that at least {@code p} percent of the values do not
     * exceed. Chosen over interpolation because every figure reported is then one that was really measured.
     *
     * @param sorted ascending, not empty
     * @param p      from 0 (exclusive) to 100
     */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0 || p <= 0 || p > 100) {
            throw new IllegalArgumentException("need values and 0 < p <= 100");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
