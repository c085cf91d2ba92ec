package io.tenantdb.provisioning.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LatencySummaryTest {

    private static final long MS = 1_000_000L;

    @Test
    void nearestRankPercentilesOfOneToHundred() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = i + 1;
        }

        assertThat(LatencySummary.percentile(values, 50)).isEqualTo(50);
        assertThat(LatencySummary.percentile(values, 95)).isEqualTo(95);
        assertThat(LatencySummary.percentile(values, 99)).isEqualTo(99);
        assertThat(LatencySummary.percentile(values, 100)).isEqualTo(100);
        assertThat(LatencySummary.percentile(values, 0.5)).isEqualTo(1);
    }

    @Test
    void smallSamplesReportTheirLargestValueForHighPercentiles() {
        long[] values = {10, 20, 30, 40, 50};

        assertThat(LatencySummary.percentile(values, 50)).isEqualTo(30);
        assertThat(LatencySummary.percentile(values, 95)).isEqualTo(50);
        assertThat(LatencySummary.percentile(values, 99)).isEqualTo(50);
        assertThat(LatencySummary.percentile(new long[] {7}, 50)).isEqualTo(7);
    }

    @Test
    void percentileRefusesNonsense() {
        assertThatThrownBy(() -> LatencySummary.percentile(new long[0], 50))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencySummary.percentile(new long[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencySummary.percentile(new long[] {1}, 101))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void summarySortsUnorderedInputAndComputesMeanAndThroughput() {
        List<Long> latencies = new ArrayList<>();
        for (long i = 1; i <= 20; i++) {
            latencies.add(i * 10 * MS);
        }
        Collections.shuffle(latencies);

        LatencySummary summary = LatencySummary.of(latencies, 4_000 * MS);

        assertThat(summary.count()).isEqualTo(20);
        assertThat(summary.p50Millis()).isEqualTo(100.0);
        assertThat(summary.p95Millis()).isEqualTo(190.0);
        assertThat(summary.p99Millis()).isEqualTo(200.0);
        assertThat(summary.meanMillis()).isCloseTo(105.0, within(1e-9));
        assertThat(summary.perSecond()).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void summaryRefusesNoLatenciesOrNoWallTime() {
        assertThatThrownBy(() -> LatencySummary.of(List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencySummary.of(List.of(1L), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratiosCompareEachWorkloadWithTheFloor() {
        LatencySummary floor = new LatencySummary(10, 200, 250, 300, 210, 5.0);
        LatencySummary provisioner = new LatencySummary(10, 210, 260, 310, 220, 4.5);
        LatencySummary http = new LatencySummary(10, 230, 270, 320, 240, 4.0);

        Comparison comparison = new Comparison(4, 0, floor, provisioner, http);

        assertThat(comparison.provisionerP50Ratio()).isCloseTo(1.05, within(1e-9));
        assertThat(comparison.httpP50Ratio()).isCloseTo(1.15, within(1e-9));
        assertThat(comparison.provisionerThroughputRatio()).isCloseTo(0.9, within(1e-9));
        assertThat(comparison.httpThroughputRatio()).isCloseTo(0.8, within(1e-9));
    }

    @Test
    void ratiosAgainstAZeroFloorAreNotANumber() {
        LatencySummary zero = new LatencySummary(1, 0, 0, 0, 0, 0);
        LatencySummary some = new LatencySummary(1, 1, 1, 1, 1, 1);

        Comparison comparison = new Comparison(1, 0, zero, some, some);

        assertThat(comparison.httpP50Ratio()).isNaN();
        assertThat(comparison.httpThroughputRatio()).isNaN();
    }
}
