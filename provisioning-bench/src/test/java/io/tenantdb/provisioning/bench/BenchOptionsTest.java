package io.tenantdb.provisioning.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    @Test
    void defaultsFollowTheIssue() {
        BenchOptions options = BenchOptions.parse(List.of());

        assertThat(options.concurrency()).containsExactly(1, 2, 4, 8);
        assertThat(options.existing()).containsExactly(0, 500, 2000);
        assertThat(options.iterations()).isEqualTo(20);
        assertThat(options.jitWarmup()).isEqualTo(30);
        assertThat(options.httpWarmup()).isEqualTo(4000);
        assertThat(options.warmup()).isEqualTo(3);
        assertThat(options.growthConcurrency()).isEqualTo(1);
        assertThat(options.out()).isEqualTo(Path.of("bench-results"));
        assertThat(options.dataDirectory()).isEmpty();
        assertThat(options.memoryCheck()).isZero();
        assertThat(options.childJvmOptions()).isEmpty();
    }

    @Test
    void quickUsesSmallNumbers() {
        BenchOptions options = BenchOptions.parse(List.of("--quick"));

        assertThat(options.concurrency()).containsExactly(1, 2);
        assertThat(options.existing()).containsExactly(0, 20);
        assertThat(options.iterations()).isEqualTo(5);
        assertThat(options.jitWarmup()).isEqualTo(5);
        assertThat(options.httpWarmup()).isEqualTo(100);
        assertThat(options.warmup()).isEqualTo(1);
    }

    @Test
    void explicitOptionsWinOverQuickWhereverQuickStands() {
        BenchOptions options = BenchOptions.parse(List.of("--iterations", "7", "--quick", "--concurrency", "4"));

        assertThat(options.iterations()).isEqualTo(7);
        assertThat(options.concurrency()).containsExactly(4);
        assertThat(options.warmup()).isEqualTo(1);
    }

    @Test
    void listsAreSortedAndDeduplicated() {
        BenchOptions options = BenchOptions.parse(List.of("--concurrency", "8,1,4,1", "--existing", "2000, 0,500"));

        assertThat(options.concurrency()).containsExactly(1, 4, 8);
        assertThat(options.existing()).containsExactly(0, 500, 2000);
    }

    @Test
    void parsesEveryOtherOption() {
        BenchOptions options = BenchOptions.parse(List.of("--warmup", "0", "--jit-warmup", "0", "--http-warmup", "0",
                "--growth-concurrency", "2", "--out", "results", "--data-dir", "/tmp/pg", "--memory-check", "1000",
                "--child-jvm-options", " -Xmx128m  -XX:+UseSerialGC "));

        assertThat(options.warmup()).isZero();
        assertThat(options.jitWarmup()).isZero();
        assertThat(options.httpWarmup()).isZero();
        assertThat(options.growthConcurrency()).isEqualTo(2);
        assertThat(options.out()).isEqualTo(Path.of("results"));
        assertThat(options.dataDirectory()).isEqualTo(Optional.of(Path.of("/tmp/pg")));
        assertThat(options.memoryCheck()).isEqualTo(1000);
        assertThat(options.childJvmOptions()).containsExactly("-Xmx128m", "-XX:+UseSerialGC");
    }

    @Test
    void refusesUnknownOptionsAndStrayArguments() {
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--speed", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown option --speed");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("fast")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unexpected argument 'fast'");
    }

    @Test
    void refusesAMissingValue() {
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--iterations")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--iterations needs a value");
    }

    @Test
    void refusesMalformedAndOutOfRangeNumbers() {
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--iterations", "ten")))
                .hasMessage("--iterations must be a whole number, got 'ten'");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--iterations", "0")))
                .hasMessage("--iterations must be at least 1, got 0");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--concurrency", "0,2")))
                .hasMessage("--concurrency must be at least 1, got 0");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--existing", "-5")))
                .hasMessage("--existing must be at least 0, got -5");
        assertThatThrownBy(() -> BenchOptions.parse(List.of("--concurrency", "1,,2")))
                .hasMessage("--concurrency has an empty entry in '1,,2'");
    }
}
