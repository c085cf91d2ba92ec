package io.tenantdb.provisioning.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PoolBenchOptionsTest {

    @Test
    void theDefaultsAreTheIssuesFigures() {
        PoolBenchOptions options = PoolBenchOptions.parse(List.of());

        assertThat(options.tenants()).isEqualTo(1000);
        assertThat(options.threads()).isEqualTo(8);
        assertThat(options.budget()).isEqualTo(20);
    }

    @Test
    void everyOptionIsRead() {
        PoolBenchOptions options = PoolBenchOptions.parse(List.of("--tenants", "5", "--threads", "2", "--budget",
                "3", "--rounds", "4", "--warmup", "0", "--queries", "7", "--out", "x"));

        assertThat(options).isEqualTo(new PoolBenchOptions(5, 2, 3, 4, 0, 7, Path.of("x")));
    }

    @Test
    void badArgumentsAreRefusedWithTheOptionNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> PoolBenchOptions.parse(List.of("--tenants", "0")))
                .withMessageContaining("--tenants");
        assertThatIllegalArgumentException().isThrownBy(() -> PoolBenchOptions.parse(List.of("--threads")))
                .withMessageContaining("needs a value");
        assertThatIllegalArgumentException().isThrownBy(() -> PoolBenchOptions.parse(List.of("--size", "1")))
                .withMessageContaining("unknown option --size");
        assertThatIllegalArgumentException().isThrownBy(() -> PoolBenchOptions.parse(List.of("pool")))
                .withMessageContaining("unexpected argument");
    }
}
