package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * security.md's password promises, checked on the SQL that really reaches the server: {@code CREATE ROLE} and
 * {@code ALTER ROLE} carry a SCRAM-SHA-256 verifier computed in the JVM for the tenant's password, never the
 * password (PostgreSQL would hash a plaintext into the same stored form, so the catalog alone cannot tell), and
 * every password is 256 bits from SecureRandom.
 */
@ExtendWith(RealProvisioningExtension.class)
class TenantPasswordsTest {

    private static final Pattern SENT_VERIFIER = Pattern.compile(
            "PASSWORD 'SCRAM-SHA-256\\$" + PostgresDatabaseCreator.DEFAULT_SCRAM_ITERATIONS
                    + ":([A-Za-z0-9+/=]{24})\\$([A-Za-z0-9+/=]{44}):([A-Za-z0-9+/=]{44})'");

    private RealProvisioning real;
    private RecordingDataSource recording;
    private PostgresDatabaseCreator creator;

    @BeforeEach
    void setUp(TestPostgres postgres, RealProvisioning real) throws SQLException {
        this.real = real;
        recording = new RecordingDataSource();
        creator = PostgresDatabaseCreator
                .builder(recording.wrap(postgres.adminDataSource()), real.store.controlPlaneId())
                .tenantEndpoint(postgres.host(), postgres.port()).build();
    }

    @Test
    void createRoleSendsTheScramVerifierOfTheTenantsPasswordAndNeverThePassword() throws Exception {
        String name = real.prefix + "scram";
        ConnectionDetails details = creator.create(UUID.randomUUID(), name, name);

        List<String> sent = recording.statements();
        assertThat(sent).noneMatch(sql -> sql.contains(details.password()));
        String createRole = sent.stream().filter(sql -> sql.startsWith("CREATE ROLE")).findFirst().orElseThrow();
        String verifier = sentVerifier(createRole);
        assertThat(verifier).isEqualTo(verifierOf(details.password(), verifier));
        assertThat(storedVerifier(name)).as("the server keeps the verifier it was sent").isEqualTo(verifier);
        assertThat(real.verifier.verify(details)).startsWith("PostgreSQL");
    }

    @Test
    void rotationSendsTheScramVerifierOfTheNewPasswordAndNeverThePassword() throws Exception {
        String name = real.prefix + "rotate";
        ConnectionDetails first = creator.create(UUID.randomUUID(), name, name);

        ConnectionDetails next = creator.rotatePassword(name, name);
        creator.restorePassword(first);

        List<String> alters = recording.statements().stream().filter(sql -> sql.startsWith("ALTER ROLE")).toList();
        assertThat(alters).hasSize(2);
        assertThat(recording.statements())
                .noneMatch(sql -> sql.contains(next.password()) || sql.contains(first.password()));
        assertThat(sentVerifier(alters.get(0))).isEqualTo(verifierOf(next.password(), sentVerifier(alters.get(0))));
        assertThat(sentVerifier(alters.get(1))).isEqualTo(verifierOf(first.password(), sentVerifier(alters.get(1))));
        assertThat(real.verifier.verify(first)).startsWith("PostgreSQL");
    }

    @Test
    void everyPasswordIs256BitsOfBase64urlAndNoTwoAreAlike() throws Exception {
        ConnectionDetails one = creator.create(UUID.randomUUID(), real.prefix + "one", real.prefix + "one");
        ConnectionDetails two = creator.create(UUID.randomUUID(), real.prefix + "two", real.prefix + "two");
        ConnectionDetails rotated = creator.rotatePassword(real.prefix + "two", real.prefix + "two");

        for (ConnectionDetails details : List.of(one, two, rotated)) {
            assertThat(details.password()).matches("[A-Za-z0-9_-]{43}");
            assertThat(Base64.getUrlDecoder().decode(details.password())).hasSize(32);
        }
        assertThat(List.of(one.password(), two.password(), rotated.password())).doesNotHaveDuplicates();
    }

    private static String sentVerifier(String sql) {
        Matcher matcher = SENT_VERIFIER.matcher(sql);
        assertThat(matcher.find()).as("a SCRAM verifier in %s", sql.replaceAll("PASSWORD '[^']*'", "PASSWORD '…'"))
                .isTrue();
        return matcher.group().substring("PASSWORD '".length(), matcher.group().length() - 1);
    }

    /**
     * The verifier of {@code password} under the salt of {@code sent}, from ScramVerifier (checked against RFC 7677).
     */
    private static String verifierOf(String password, String sent) {
        String prefix = "SCRAM-SHA-256$" + PostgresDatabaseCreator.DEFAULT_SCRAM_ITERATIONS + ":";
        String salt = sent.substring(prefix.length(), sent.indexOf('$', prefix.length()));
        return ScramVerifier.of(password, PostgresDatabaseCreator.DEFAULT_SCRAM_ITERATIONS,
                ScramVerifierTest.fixedSalt(Base64.getDecoder().decode(salt)));
    }

    private String storedVerifier(String role) throws SQLException {
        return Sql.strings(real.postgres.adminDataSource(),
                "SELECT rolpassword FROM pg_authid WHERE rolname = ?", role).get(0);
    }
}
