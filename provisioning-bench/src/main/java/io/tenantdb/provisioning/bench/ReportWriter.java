package io.tenantdb.provisioning.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes {@link BenchResults} as a text table, CSV ({@code bench.csv}) and JSON ({@code bench.json}). */
final class ReportWriter {

    private static final String[] NAMES = {"a floor", "b provisioner", "c http"};

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
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"target\": ").append(string(results.target())).append(",\n");
        json.append("  \"machine\": ").append(string(results.machine())).append(",\n");
        json.append("  \"concurrency\": ").append(comparisons(results.sweep())).append(",\n");
        json.append("  \"growth\": ").append(comparisons(results.growth())).append(",\n");
        json.append("  \"floor_step_mean_ms\": {").append(results.floorSteps().entrySet().stream()
                .map(e -> string(e.getKey()) + ": " + number(e.getValue())).collect(Collectors.joining(", ")))
                .append("},\n");
        json.append("  \"sessions_at_end\": ").append(counts(results.sessionsAtEnd())).append(",\n");
        json.append("  \"sessions_after_close\": ").append(counts(results.sessionsAfter())).append(",\n");
        json.append("  \"leftover_objects\": ").append(results.leftovers()).append(",\n");
        json.append("  \"memory\": ").append(results.memory().map(m -> String.format(Locale.ROOT,
                "{\"provisions\": %d, \"rss_kib\": %d, \"peak_kib\": %d, \"jvm_options\": %s}", m.provisions(),
                m.rssKiB(), m.peakKiB(), m.jvmOptions().stream().map(ReportWriter::string)
                        .collect(Collectors.joining(", ", "[", "]")))).orElse("null")).append(",\n");
        json.append("  \"verdicts\": ").append(results.verdicts().stream().map(ReportWriter::string)
                .collect(Collectors.joining(", ", "[", "]"))).append("\n}\n");
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    private static List<Comparison> all(BenchResults results) {
        List<Comparison> all = new ArrayList<>(results.sweep());
        // The growth run at 0 existing tenants is the sweep's own entry; print it once.
        results.growth().stream().filter(c -> !all.contains(c)).forEach(all::add);
        return all;
    }

    private static String comparisons(List<Comparison> comparisons) {
        return comparisons.stream().map(c -> String.format(Locale.ROOT,
                "{\"concurrency\": %d, \"existing\": %d, \"a\": %s, \"b\": %s, \"c\": %s, \"b_over_a_p50\": %s,"
                        + " \"c_over_a_p50\": %s, \"b_over_a_throughput\": %s, \"c_over_a_throughput\": %s}",
                c.concurrency(), c.existing(), summary(c.floor()), summary(c.provisioner()), summary(c.http()),
                number(c.provisionerP50Ratio()), number(c.httpP50Ratio()), number(c.provisionerThroughputRatio()),
                number(c.httpThroughputRatio()))).collect(Collectors.joining(",\n    ", "[\n    ", "\n  ]"));
    }

    private static String summary(LatencySummary s) {
        return String.format(Locale.ROOT, "{\"count\": %d, \"p50_ms\": %s, \"p95_ms\": %s, \"p99_ms\": %s,"
                        + " \"mean_ms\": %s, \"tenants_per_s\": %s}", s.count(), number(s.p50Millis()),
                number(s.p95Millis()), number(s.p99Millis()), number(s.meanMillis()), number(s.perSecond()));
    }

    private static String counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> string(e.getKey()) + ": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "null";
    }

    /** A JSON string literal. */
    static String string(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
