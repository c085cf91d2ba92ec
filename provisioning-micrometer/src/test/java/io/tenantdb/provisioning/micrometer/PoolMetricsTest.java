package io.tenantdb.provisioning.micrometer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class PoolMetricsTest {

    @Test
    void refusesNullDataSources() {
        assertThatNullPointerException().isThrownBy(() -> new PoolMetrics(null)).withMessage("dataSources");
    }
}
