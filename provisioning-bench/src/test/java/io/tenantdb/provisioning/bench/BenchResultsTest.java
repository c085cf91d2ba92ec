package io.tenantdb.provisioning.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BenchResultsTest {

    private static final LatencySummary FLOOR = new LatencySummary(20, 100, 120, 130, 105, 10.0);

    @Test
    void targetsPassWithinTheirBounds() {
        BenchResults results = results(new LatencySummary(20, 110, 130, 140, 112, 9.0),
                Optional.of(new MemoryCheck.Result(1000, 200 * 1024, 220 * 1024, List.of())), Map.of(), 0);

        assertThat(results.verdicts()).allMatch(line -> line.startsWith("PASS "));
    }

    @Test
    void targetsFailJustOutsideTheirBounds() {
        BenchResults results = results(new LatencySummary(20, 110.1, 130, 140, 112, 8.99),
                Optional.of(new MemoryCheck.Result(1000, 256 * 1024 + 1, 300 * 1024, List.of())),
                Map.of("tenantdb-provisioning (idle)", 1), 0);

        assertThat(results.verdicts()).allMatch(line -> line.startsWith("FAIL "));
    }

    @Test
    void leftoverObjectsAreALeak() {
        BenchResults results = results(FLOOR, Optional.empty(), Map.of(), 3);

        assertThat(results.verdicts().get(3)).startsWith("FAIL no leaks");
        assertThat(results.verdicts().get(2)).startsWith("n/a ");
    }

    private static BenchResults results(LatencySummary http, Optional<MemoryCheck.Result> memory,
                                        Map<String, Integer> after, int leftovers) {
        List<Comparison> sweep = List.of(new Comparison(1, 0, FLOOR, FLOOR, http),
                new Comparison(4, 0, FLOOR, FLOOR, http));
        return new BenchResults("target", "machine", sweep, List.of(), Map.of(), Map.of(),
                Map.of("tenantdb-provisioning-example (idle)", 10), after, leftovers, memory);
    }
}
