package io.tenantdb.provisioning.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Draws the two PNG line charts with {@code java.awt} in headless mode: median latency of a, b and c against
 * concurrency ({@code latency-vs-concurrency.png}) and against existing tenants
 * ({@code latency-vs-existing.png}). X positions are evenly spaced categories, labelled with their values.
 */
final class ChartWriter {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] COLORS = {new Color(0x33, 0x33, 0x33), new Color(0x1f, 0x77, 0xb4),
            new Color(0xd6, 0x27, 0x28)};

    private ChartWriter() {
    }

    /** Writes both charts into {@code directory}; a chart with fewer than one point is skipped. */
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

    private static void chart(String title, String xLabel, List<Comparison> points,
                              ToIntFunction<Comparison> x, Path file) throws IOException {
        Map<String, ToDoubleFunction<Comparison>> series = new LinkedHashMap<>();
        series.put("a floor (plain JDBC)", c -> c.floor().p50Millis());
        series.put("b TenantProvisioner", c -> c.provisioner().p50Millis());
        series.put("c POST over HTTP", c -> c.http().p50Millis());
        double max = points.stream().flatMapToDouble(c -> series.values().stream()
                .mapToDouble(f -> f.applyAsDouble(c))).max().orElse(1);
        double yMax = niceCeiling(max * 1.1);

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.setColor(Color.BLACK);
            g.drawString(title, LEFT, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics metrics = g.getFontMetrics();
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;

            for (int i = 0; i <= 5; i++) {
                double value = yMax * i / 5;
                int y = TOP + plotHeight - (int) Math.round(plotHeight * i / 5.0);
                g.setColor(new Color(0xe0, 0xe0, 0xe0));
                g.drawLine(LEFT, y, LEFT + plotWidth, y);
                g.setColor(Color.BLACK);
                String label = String.format(Locale.ROOT, "%.0f", value);
                g.drawString(label, LEFT - 8 - metrics.stringWidth(label), y + 4);
            }
            g.drawLine(LEFT, TOP, LEFT, TOP + plotHeight);
            g.drawLine(LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight);
            drawRotated(g, "p50 latency (ms)", 22, TOP + plotHeight / 2 + 40);
            g.drawString(xLabel, LEFT + plotWidth / 2 - metrics.stringWidth(xLabel) / 2, HEIGHT - 15);

            int[] xs = new int[points.size()];
            for (int i = 0; i < points.size(); i++) {
                xs[i] = LEFT + (points.size() == 1 ? plotWidth / 2 : (int) Math.round(plotWidth * (0.05 + 0.9 * i
                        / (points.size() - 1))));
                String label = Integer.toString(x.applyAsInt(points.get(i)));
                g.drawString(label, xs[i] - metrics.stringWidth(label) / 2, TOP + plotHeight + 18);
            }

            int s = 0;
            for (Map.Entry<String, ToDoubleFunction<Comparison>> entry : series.entrySet()) {
                g.setColor(COLORS[s]);
                g.setStroke(new BasicStroke(2f));
                int previousX = -1;
                int previousY = -1;
                for (int i = 0; i < points.size(); i++) {
                    int y = TOP + plotHeight - (int) Math.round(plotHeight
                            * entry.getValue().applyAsDouble(points.get(i)) / yMax);
                    g.fillOval(xs[i] - 4, y - 4, 8, 8);
                    if (previousX >= 0) {
                        g.drawLine(previousX, previousY, xs[i], y);
                    }
                    previousX = xs[i];
                    previousY = y;
                }
                int legendY = TOP + 20 + s * 22;
                g.drawLine(WIDTH - RIGHT + 15, legendY - 4, WIDTH - RIGHT + 40, legendY - 4);
                g.setColor(Color.BLACK);
                g.drawString(entry.getKey(), WIDTH - RIGHT + 46, legendY);
                s++;
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void drawRotated(Graphics2D g, String text, int x, int y) {
        Graphics2D rotated = (Graphics2D) g.create();
        try {
            rotated.rotate(-Math.PI / 2, x, y);
            rotated.drawString(text, x, y);
        } finally {
            rotated.dispose();
        }
    }

    /** The smallest of 1, 2 or 5 times a power of ten that is at least {@code value}. */
    static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
