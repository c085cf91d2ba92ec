package io.tenantdb.provisioning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class EnumWireNamesTest {

    @Test
    void environmentWireNamesAreTheContractsLowerCaseNames() {
        assertThat(Environment.values()).extracting(Environment::wireName)
                .containsExactly("development", "staging", "production");
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void environmentRoundTripsThroughItsWireName(Environment environment) {
        assertThat(Environment.fromWireName(environment.wireName())).contains(environment);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Production", "PRODUCTION", " production", "production ", "prod", ""})
    void environmentParsesWireNamesExactly(String value) {
        assertThat(Environment.fromWireName(value)).isEmpty();
    }

    @Test
    void environmentParsesNullAsEmpty() {
        assertThat(Environment.fromWireName(null)).isEmpty();
    }

    @Test
    void tenantStatusWireNamesMatchTheControlPlaneCheckConstraint() {
        assertThat(TenantStatus.values()).extracting(TenantStatus::wireName)
                .containsExactly("provisioning", "active", "failed", "deleting", "deleted");
    }

    @ParameterizedTest
    @EnumSource(TenantStatus.class)
    void tenantStatusRoundTripsThroughItsWireName(TenantStatus status) {
        assertThat(TenantStatus.fromWireName(status.wireName())).contains(status);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ACTIVE", "Active", "gone", ""})
    void tenantStatusRefusesUnknownWireNames(String value) {
        assertThat(TenantStatus.fromWireName(value)).isEmpty();
    }

    @Test
    void sslModeWireNamesAreLibpqs() {
        assertThat(SslMode.values()).extracting(SslMode::wireName)
                .containsExactly("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    }

    @ParameterizedTest
    @EnumSource(SslMode.class)
    void sslModeRoundTripsThroughItsWireName(SslMode mode) {
        assertThat(SslMode.fromWireName(mode.wireName())).contains(mode);
    }

    @ParameterizedTest
    @ValueSource(strings = {"VERIFY-FULL", "verify_full", "verifyfull", " require", "on", ""})
    void sslModeParsesWireNamesExactly(String value) {
        assertThat(SslMode.fromWireName(value)).isEmpty();
        assertThat(SslMode.fromWireName(null)).isEmpty();
    }
}
