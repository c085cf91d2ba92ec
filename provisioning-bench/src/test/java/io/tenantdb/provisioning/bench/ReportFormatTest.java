package io.tenantdb.provisioning.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ReportFormatTest {

    private static final LatencySummary FLOOR = new LatencySummary(20, 100, 120, 130, 105, 10.0);
    private static final LatencySummary NOTHING = new LatencySummary(20, 0, 0, 0, 0, 0);

    @TempDir
    Path temp;

    @Test
    void jsonKeepsTextWithQuotesBackslashesAndControlCharactersIntact() throws Exception {
        String target = "a\"b\\c\nd\u0001";

        JsonNode json = writeAndRead(results(target, FLOOR));

        assertThat(json.get("target").asText()).isEqualTo(target);
    }

    @Test
    void jsonHasOneObjectPerSettingWithTheThreeWorkloadsAndTheirRatios() throws Exception {
        JsonNode json = writeAndRead(results("target", FLOOR));

        JsonNode setting = json.get("concurrency").get(0);
        assertThat(setting.get("concurrency").asInt()).isEqualTo(1);
        assertThat(setting.get("a").get("p50_ms").decimalValue()).isEqualByComparingTo("100");
        assertThat(setting.get("c_over_a_p50").decimalValue()).isEqualByComparingTo("1.1");
        assertThat(json.get("provisioner_step_mean_ms").get("total").decimalValue()).isEqualByComparingTo("40");
        assertThat(json.get("leftover_objects").asInt()).isZero();
        assertThat(json.get("memory").isNull()).isTrue();
        assertThat(json.get("verdicts")).hasSize(4);
    }

    @Test
    void jsonWritesUndefinedRatiosAsNull() throws Exception {
        JsonNode json = writeAndRead(new BenchResults("target", "machine",
                List.of(new Comparison(1, 0, NOTHING, NOTHING, NOTHING)), List.of(), Map.of(), Map.of(), Map.of(),
                Map.of(), 0,
                Optional.empty()));

        assertThat(json.get("concurrency").get(0).get("c_over_a_p50").isNull()).isTrue();
    }

    @Test
    void chartsAreTwoPngImagesOfEightHundredByFourHundredEighty() throws Exception {
        LatencySummary http = new LatencySummary(20, 110, 130, 140, 112, 9.0);
        List<Comparison> points = List.of(new Comparison(1, 0, FLOOR, FLOOR, http),
                new Comparison(2, 0, FLOOR, FLOOR, http));
        ChartWriter.write(new BenchResults("target", "machine", points, points, Map.of(), Map.of(), Map.of(),
                Map.of(), 0, Optional.empty()), temp);

        for (String name : List.of("latency-vs-concurrency.png", "latency-vs-existing.png")) {
            BufferedImage image = ImageIO.read(temp.resolve(name).toFile());
            assertThat(image).as(name).isNotNull();
            assertThat(image.getWidth()).isEqualTo(800);
            assertThat(image.getHeight()).isEqualTo(480);
        }
    }

    private JsonNode writeAndRead(BenchResults results) throws Exception {
        Path file = temp.resolve("bench.json");
        ReportWriter.json(results, file);
        return new ObjectMapper().readTree(file.toFile());
    }

    private static BenchResults results(String target, LatencySummary floor) {
        LatencySummary http = new LatencySummary(20, 110, 130, 140, 112, 9.0);
        return new BenchResults(target, "machine", List.of(new Comparison(1, 0, floor, floor, http)), List.of(),
                Map.of("create role", 1.5), Map.of("reserve", 0.5, "total", 40.0), Map.of(), Map.of(), 0,
                Optional.empty());
    }
}
