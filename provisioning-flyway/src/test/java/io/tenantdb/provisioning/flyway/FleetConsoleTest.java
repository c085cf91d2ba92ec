package io.tenantdb.provisioning.flyway;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FleetConsoleTest {

    @Test
    void noOptionsMigrateFourAtATimeWithoutACanary() {
        assertThat(FleetConsole.parse(List.of())).contains(new FleetRun(4, 0, false));
    }

    @Test
    void everyOptionIsReadInAnyOrder() {
        assertThat(FleetConsole.parse(List.of("--dry-run", "--canary", "3", "--parallelism", "16")))
                .contains(new FleetRun(16, 3, true));
    }

    @Test
    void unknownOptionsMissingValuesAndOutOfRangeValuesAreRefused() {
        assertThat(FleetConsole.parse(List.of("--fast"))).isEmpty();
        assertThat(FleetConsole.parse(List.of("--parallelism"))).isEmpty();
        assertThat(FleetConsole.parse(List.of("--parallelism", "-1"))).isEmpty();
        assertThat(FleetConsole.parse(List.of("--parallelism", "0"))).isEmpty();
        assertThat(FleetConsole.parse(List.of("--parallelism", "65"))).isEmpty();
        assertThat(FleetConsole.parse(List.of("--canary", "x"))).isEmpty();
    }
}
