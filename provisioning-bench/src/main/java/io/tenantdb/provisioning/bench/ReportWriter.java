package io.tenantdb.provisioning.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes {@link BenchResults} as a text table, CSV ({@code bench.csv}) and JSON ({@code bench.json}, Jackson). */
final class ReportWriter {

    private static final String[] NAMES = {"a floor", "b provisioner", "c http"};
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** The table, the floor's step breakdown, the session checks and the verdicts. */
    static void table(BenchResults results, PrintStream out) {
        out.println();
        out.println("tenantdb provisioning benchmark — " + results.target());
        out.println(results.machine());
        out.println();
        out.printf(Locale.ROOT, "%-22s %-14s %5s %9s %9s %9s %10s %9s %9s%n", "setting", "workload", "n",
                "p50 ms", "p95 ms", "p99 ms", "tenants/s", "p50 x a", "tput x a");
        for (Comparison comparison : all(results)) {
            String setting = "concurrency " + comparison.concurrency() + ", " + comparison.existing() + " ex.";
            LatencySummary[] summaries = {comparison.floor(), comparison.provisioner(), comparison.http()};
            double[] p50 = {1, comparison.provisionerP50Ratio(), comparison.httpP50Ratio()};
            double[] tput = {1, comparison.provisionerThroughputRatio(), comparison.httpThroughputRatio()};
            for (int i = 0; i < 3; i++) {
                LatencySummary s = summaries[i];
                out.printf(Locale.ROOT, "%-22s %-14s %5d %9.1f %9.1f %9.1f %10.2f %9.3f %9.3f%n",
                        i == 0 ? setting : "", NAMES[i], s.count(), s.p50Millis(), s.p95Millis(), s.p99Millis(),
                        s.perSecond(), p50[i], tput[i]);
            }
        }
        out.println();
        out.println("floor (a), mean ms per step over the run:");
        results.floorSteps().entrySet().stream().sorted(Map.Entry.comparingByKey(
                        (x, y) -> FloorWorkload.STEPS.indexOf(x) - FloorWorkload.STEPS.indexOf(y)))
                .forEach(e -> out.printf(Locale.ROOT, "  %-38s %8.2f%n", e.getKey(), e.getValue()));
        out.println();
        out.println("provisioner (b and c), mean ms per step over the concurrency sweep:");
        results.provisionerSteps().forEach((step, millis) -> out.printf(Locale.ROOT, "  %-38s %8.2f%n", step, millis));
        out.println();
        results.verdicts().forEach(out::println);
        out.flush();
    }

    /** One CSV row per workload and setting. */
    static void csv(BenchResults results, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("scenario,concurrency,existing,workload,count,p50_ms,p95_ms,p99_ms,mean_ms,tenants_per_s,"
                + "p50_ratio_to_floor,throughput_ratio_to_floor");
        for (String scenario : List.of("concurrency", "growth")) {
            for (Comparison c : scenario.equals("concurrency") ? results.sweep() : results.growth()) {
                LatencySummary[] summaries = {c.floor(), c.provisioner(), c.http()};
                double[] p50 = {1, c.provisionerP50Ratio(), c.httpP50Ratio()};
                double[] tput = {1, c.provisionerThroughputRatio(), c.httpThroughputRatio()};
                for (int i = 0; i < 3; i++) {
                    LatencySummary s = summaries[i];
                    lines.add(String.format(Locale.ROOT, "%s,%d,%d,%s,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f",
                            scenario, c.concurrency(), c.existing(), NAMES[i].replace(' ', '_'), s.count(),
                            s.p50Millis(), s.p95Millis(), s.p99Millis(), s.meanMillis(), s.perSecond(), p50[i],
                            tput[i]));
                }
            }
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /** The whole result as one JSON object. */
    static void json(BenchResults results, Path file) throws IOException {
        JSON.writeValue(file.toFile(), jsonTree(results));
    }

    /** The JSON object {@link #json} writes: ratios and milliseconds to four decimals, undefined ratios null. */
    private static ObjectNode jsonTree(BenchResults results) {
        ObjectNode json = JSON.createObjectNode();
        json.put("target", results.target());
        json.put("machine", results.machine());
        json.set("concurrency", comparisons(results.sweep()));
        json.set("growth", comparisons(results.growth()));
        ObjectNode steps = json.putObject("floor_step_mean_ms");
        results.floorSteps().entrySet().stream().sorted(Map.Entry.comparingByKey(
                        (x, y) -> FloorWorkload.STEPS.indexOf(x) - FloorWorkload.STEPS.indexOf(y)))
                .forEach(e -> steps.put(e.getKey(), number(e.getValue())));
        ObjectNode spans = json.putObject("provisioner_step_mean_ms");
        results.provisionerSteps().forEach((step, millis) -> spans.put(step, number(millis)));
        results.sessionsAtEnd().forEach(json.putObject("sessions_at_end")::put);
        results.sessionsAfter().forEach(json.putObject("sessions_after_close")::put);
        json.put("leftover_objects", results.leftovers());
        results.memory().ifPresentOrElse(m -> {
            ObjectNode memory = json.putObject("memory");
            memory.put("provisions", m.provisions());
            memory.put("rss_kib", m.rssKiB());
            memory.put("peak_kib", m.peakKiB());
            m.jvmOptions().forEach(memory.putArray("jvm_options")::add);
        }, () -> json.putNull("memory"));
        results.verdicts().forEach(json.putArray("verdicts")::add);
        return json;
    }

    private static List<Comparison> all(BenchResults results) {
        List<Comparison> all = new ArrayList<>(results.sweep());
        // The growth run at 0 existing tenants is the sweep's own entry; print it once.
        results.growth().stream().filter(c -> !all.contains(c)).forEach(all::add);
        return all;
    }

    private static ArrayNode comparisons(List<Comparison> comparisons) {
        ArrayNode array = JSON.createArrayNode();
        for (Comparison c : comparisons) {
            ObjectNode comparison = array.addObject();
            comparison.put("concurrency", c.concurrency());
            comparison.put("existing", c.existing());
            comparison.set("a", summary(c.floor(), "tenants_per_s"));
            comparison.set("b", summary(c.provisioner(), "tenants_per_s"));
            comparison.set("c", summary(c.http(), "tenants_per_s"));
            comparison.put("b_over_a_p50", number(c.provisionerP50Ratio()));
            comparison.put("c_over_a_p50", number(c.httpP50Ratio()));
            comparison.put("b_over_a_throughput", number(c.provisionerThroughputRatio()));
            comparison.put("c_over_a_throughput", number(c.httpThroughputRatio()));
        }
        return array;
    }

    /** One summary; {@code rate} names its per-second figure ({@code tenants_per_s}, {@code queries_per_s}). */
    static ObjectNode summary(LatencySummary s, String rate) {
        ObjectNode summary = JSON.createObjectNode();
        summary.put("count", s.count());
        summary.put("p50_ms", number(s.p50Millis()));
        summary.put("p95_ms", number(s.p95Millis()));
        summary.put("p99_ms", number(s.p99Millis()));
        summary.put("mean_ms", number(s.meanMillis()));
        summary.put(rate, number(s.perSecond()));
        return summary;
    }

    /** Four decimals, as the CSV; null for NaN or an infinity, which JSON cannot carry. */
    static BigDecimal number(double value) {
        return Double.isFinite(value) ? BigDecimal.valueOf(value).setScale(4, RoundingMode.HALF_UP) : null;
    }
}
