package io.tenantdb.provisioning.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReportFormatTest {

    @Test
    void jsonStringsEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(ReportWriter.string("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    @Test
    void chartScaleRoundsUpToOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(ChartWriter.niceCeiling(0.0)).isEqualTo(1.0);
        assertThat(ChartWriter.niceCeiling(87)).isEqualTo(100.0);
        assertThat(ChartWriter.niceCeiling(130)).isEqualTo(200.0);
        assertThat(ChartWriter.niceCeiling(200)).isEqualTo(200.0);
        assertThat(ChartWriter.niceCeiling(201)).isEqualTo(500.0);
    }
}
