package io.tenantdb.provisioning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionDetailsTest {

    private static final String RESERVED = "p@ss:w/rd?#[]%+ &=;'\"~é";

    @Test
    void toUriIsTheLibpqFormWithPercentEncodedCredentials() {
        ConnectionDetails details = new ConnectionDetails("db.example.com", 5433, "car_x", "car_x", "a b+c@d");

        assertThat(details.toUri()).isEqualTo("postgresql://car_x:a%20b%2Bc%40d@db.example.com:5433/car_x");
    }

    @Test
    void uriRoundTripsAPasswordWithReservedCharacters() {
        ConnectionDetails details = new ConnectionDetails("db.example.com", 5432, "car_1", "us:er@x", RESERVED);

        String uri = details.toUri();

        assertThat(uri).doesNotContain(RESERVED).startsWith("postgresql://");
        assertThat(ConnectionDetails.fromUri(uri)).isEqualTo(details);
    }

    @Test
    void uriRoundTripsAnIpv6Host() {
        ConnectionDetails details = new ConnectionDetails("::1", 6543, "car_2", "car_2", RESERVED);

        String uri = details.toUri();

        assertThat(uri).contains("@[::1]:6543/car_2");
        assertThat(ConnectionDetails.fromUri(uri)).isEqualTo(details);
        assertThat(details.toJdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:6543/car_2");
    }

    @Test
    void jdbcUrlCarriesNoCredentials() {
        ConnectionDetails details = new ConnectionDetails("localhost", 5432, "car_3", "car_3", "s3cret-pw");

        assertThat(details.toJdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/car_3")
                .doesNotContain("s3cret-pw").doesNotContain("car_3@");
    }

    @Test
    void toStringRedactsThePassword() {
        ConnectionDetails details = new ConnectionDetails("localhost", 5432, "car_4", "car_4", "s3cret-pw");

        assertThat(details.toString()).doesNotContain("s3cret-pw").contains("password=***").contains("car_4");
    }

    @ParameterizedTest
    @EnumSource(SslMode.class)
    void sslModeIsWrittenAsALibpqQueryAndParsedBack(SslMode mode) {
        ConnectionDetails details = new ConnectionDetails("db.example.com", 5432, "car_5", "car_5", RESERVED,
                Optional.of(mode));

        assertThat(details.toUri()).endsWith("@db.example.com:5432/car_5?sslmode=" + mode.wireName());
        assertThat(details.toJdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5432/car_5?sslmode="
                + mode.wireName());
        assertThat(ConnectionDetails.fromUri(details.toUri())).isEqualTo(details);
        assertThat(details.toString()).contains("sslMode=" + mode.wireName()).doesNotContain(RESERVED);
    }

    @Test
    void detailsWithoutSslModeStateNoQuery() {
        ConnectionDetails details = new ConnectionDetails("localhost", 5432, "car_6", "car_6", "pw");

        assertThat(details.sslMode()).isEmpty();
        assertThat(details.toUri()).doesNotContain("?");
        assertThat(ConnectionDetails.fromUri(details.toUri()).sslMode()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://u:s3cret-pw@h:5432/d?sslmode=verify_full",
            "postgresql://u:s3cret-pw@h:5432/d?sslmode=", "postgresql://u:s3cret-pw@h:5432/d?sslrootcert=/ca.pem",
            "postgresql://u:s3cret-pw@h:5432/d?sslmode=require&sslrootcert=/ca.pem",
            "postgresql://u:s3cret-pw@h:5432/d?"})
    void fromUriRefusesAnyQueryButOneValidSslMode(String uri) {
        assertThatThrownBy(() -> ConnectionDetails.fromUri(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-pw"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres://u:s3cret-pw@h:5432/d", "postgresql://u@h:5432/d",
            "postgresql://u:s3cret-pw@h/d", "postgresql://u:s3cret-pw@h:5432/", "postgresql://u:s3cret-pw@h:5432",
            "not a uri s3cret-pw", "postgresql://u:s3cret-pw@h:5432/d d"})
    void fromUriRefusesOtherFormsWithoutEchoingTheInput(String uri) {
        assertThatThrownBy(() -> ConnectionDetails.fromUri(uri))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-pw"));
    }

    @Test
    void refusesPortOutOfRangeAndEmptyNames() {
        assertThatThrownBy(() -> new ConnectionDetails("h", 0, "d", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionDetails("h", 65536, "d", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionDetails("", 5432, "d", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionDetails("h", 5432, "d", "u", null))
                .isInstanceOf(NullPointerException.class);
    }
}
