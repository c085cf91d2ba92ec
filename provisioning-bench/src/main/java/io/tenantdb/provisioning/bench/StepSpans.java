package io.tenantdb.provisioning.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tenantdb.provisioning.micrometer.ProvisioningMetrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The provisioner's own client-side spans, read from the application's {@link ProvisioningMetrics} timers: one
 * snapshot before and one after a span of work give the mean milliseconds of each saga step and of the whole
 * successful provisioning in between. Immutable.
 */
final class StepSpans {

    /** The whole successful provisioning, under the steps' names. */
    static final String TOTAL = "total";
    /** The cold path's steps in order, then the whole provisioning. */
    static final List<String> COLD = List.of("reserve", "create", "verify", "encrypt", "store", TOTAL);
    /** A warm claim's steps in order, then the whole provisioning. */
    static final List<String> WARM = List.of("reserve", "claim", "verify", "encrypt", "store", TOTAL);

    private final Map<String, double[]> countAndMillis;

    private StepSpans(Map<String, double[]> countAndMillis) {
        this.countAndMillis = countAndMillis;
    }

    /** The step and provisioning timers of {@code metrics} as they stand now. */
    static StepSpans snapshot(MeterRegistry metrics) {
        Map<String, double[]> spans = new LinkedHashMap<>();
        for (Timer timer : metrics.find(ProvisioningMetrics.STEP).timers()) {
            spans.put(timer.getId().getTag("step"), read(timer));
        }
        double[] total = new double[2];
        for (Timer timer : metrics.find(ProvisioningMetrics.PROVISIONING).tag("outcome", "succeeded").timers()) {
            double[] one = read(timer);
            total[0] += one[0];
            total[1] += one[1];
        }
        spans.put(TOTAL, total);
        return new StepSpans(spans);
    }

    /** Mean milliseconds of each of {@code steps} between {@code before} and this snapshot, in that order. */
    Map<String, Double> meanMillisSince(StepSpans before, List<String> steps) {
        Map<String, Double> means = new LinkedHashMap<>();
        for (String step : steps) {
            double[] now = countAndMillis.getOrDefault(step, new double[2]);
            double[] then = before.countAndMillis.getOrDefault(step, new double[2]);
            double count = now[0] - then[0];
            means.put(step, count == 0 ? 0 : (now[1] - then[1]) / count);
        }
        return means;
    }

    private static double[] read(Timer timer) {
        return new double[] {timer.count(), timer.totalTime(TimeUnit.MILLISECONDS)};
    }
}
