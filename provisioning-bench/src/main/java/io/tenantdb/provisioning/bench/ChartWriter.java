package io.tenantdb.provisioning.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler.LegendPosition;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Draws the two PNG line charts with XChart in headless mode: median latency of a, b and c against concurrency
 * ({@code latency-vs-concurrency.png}) and against existing tenants ({@code latency-vs-existing.png}). X positions
 * are evenly spaced categories, labelled with their values. {@link #pool} draws the tenant-connection benchmark's.
 */
final class ChartWriter {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 480;
    private static final Color[] COLORS = {new Color(0x33, 0x33, 0x33), new Color(0x1f, 0x77, 0xb4),
            new Color(0xd6, 0x27, 0x28)};

    private ChartWriter() {
    }

    /** Writes both charts into {@code directory}; a chart without points is skipped. */
    static void write(BenchResults results, Path directory) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (!results.sweep().isEmpty()) {
            chart("Median provisioning latency vs concurrency (0 existing tenants)", "concurrent workers",
                    results.sweep(), Comparison::concurrency, directory.resolve("latency-vs-concurrency.png"));
        }
        if (!results.growth().isEmpty()) {
            chart("Median provisioning latency vs existing tenant databases (concurrency "
                            + results.growth().get(0).concurrency() + ")", "existing tenant databases",
                    results.growth(), Comparison::existing, directory.resolve("latency-vs-existing.png"));
        }
    }

    /**
     * Writes {@code pool-latency.png} of the tenant-connection benchmark: p50 and p99 of each route as bars, on a
     * logarithmic axis (a pooled query and a new connection differ by about two orders of magnitude). A route
     * without a successful query is left out.
     */
    static void pool(PoolBenchResults results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<RouteResult> measured = results.routes().stream().filter(r -> r.latency().isPresent()).toList();
        if (measured.isEmpty()) {
            return;
        }
        // Wider than the others: the axis names the three routes.
        CategoryChart chart = styled(new CategoryChartBuilder().width(WIDTH * 5 / 4).height(HEIGHT)
                .title("Query latency by route, and peak server sessions (" + results.options().tenants() + " tenants, "
                        + results.options().threads() + " threads)")
                .xAxisTitle(String.join(", ", results.routes().stream()
                        .map(r -> r.key() + " " + r.description()).toList()))
                .yAxisTitle("latency of successful queries (ms, log scale)").build());
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Bar);
        chart.getStyler().setYAxisLogarithmic(true);
        // XChart's log axis refuses a zero minimum, its default for bars.
        chart.getStyler().setYAxisMin(measured.stream().mapToDouble(r -> r.latency().get().p50Millis()).min()
                .getAsDouble() / 2);
        List<String> categories = measured.stream().map(r -> String.format(Locale.ROOT, "%s: %d%% ok, peak %d",
                r.key(), Math.round(100.0 * r.latency().get().count() / r.attempted()), r.peakSessions())).toList();
        chart.addSeries("p50", categories, measured.stream().map(r -> r.latency().get().p50Millis()).toList());
        chart.addSeries("p99", categories, measured.stream().map(r -> r.latency().get().p99Millis()).toList());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void chart(String title, String xLabel, List<Comparison> points, ToIntFunction<Comparison> x,
                              Path file) throws IOException {
        chart(title, xLabel, points, x, file,
                List.of("a floor (plain JDBC)", "b TenantProvisioner", "c POST over HTTP"));
    }

    /** One chart of a, b and c's median latency, the series named {@code names} in that order. */
    static void chart(String title, String xLabel, List<Comparison> points, ToIntFunction<Comparison> x,
                      Path file, List<String> names) throws IOException {
        CategoryChart chart = styled(new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xLabel).yAxisTitle("p50 latency (ms)").build());
        CategoryStyler styler = chart.getStyler();
        styler.setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line);
        // All three series at the same x, as in a line chart, rather than side by side as bars would be.
        styler.setOverlapped(true);
        styler.setYAxisMin(0.0);
        List<String> categories = points.stream().map(c -> Integer.toString(x.applyAsInt(c))).toList();
        series(chart, names.get(0), categories, points, c -> c.floor().p50Millis());
        series(chart, names.get(1), categories, points, c -> c.provisioner().p50Millis());
        series(chart, names.get(2), categories, points, c -> c.http().p50Millis());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** The look both charts share: legend outside, the bench's colours, white backgrounds. */
    private static CategoryChart styled(CategoryChart chart) {
        CategoryStyler styler = chart.getStyler();
        styler.setLegendPosition(LegendPosition.OutsideE);
        styler.setSeriesColors(COLORS);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        return chart;
    }

    private static void series(CategoryChart chart, String name, List<String> categories, List<Comparison> points,
                               ToDoubleFunction<Comparison> p50) {
        chart.addSeries(name, categories, points.stream().map(c -> p50.applyAsDouble(c)).toList());
    }
}
