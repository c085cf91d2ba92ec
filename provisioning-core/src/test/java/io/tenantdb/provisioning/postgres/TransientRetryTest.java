package io.tenantdb.provisioning.postgres;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransientRetryTest {

    private final AtomicInteger attempts = new AtomicInteger();

    @Test
    void objectInUseIsRetriedUntilItSucceeds() throws SQLException {
        String result = TransientRetry.call(() -> failTimes(2, "55006"));

        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void serializationFailuresAndDeadlocksAreRetried() throws SQLException {
        TransientRetry.call(() -> failTimes(1, "40001"));
        attempts.set(0);
        TransientRetry.call(() -> failTimes(1, "40P01"));

        assertThat(attempts).hasValue(2);
    }

    @Test
    void retriesAreBoundedAndTheLastFailureIsKept() {
        assertThatThrownBy(() -> TransientRetry.call(() -> failTimes(10, "55006")))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("55006"));
        assertThat(attempts).hasValue(TransientRetry.ATTEMPTS);
    }

    @Test
    void aLostConnectionIsRetriedOnlyForIdempotentWork() throws SQLException {
        assertThatThrownBy(() -> TransientRetry.call(() -> failTimes(1, "08006"))).isInstanceOf(SQLException.class);
        assertThat(attempts).hasValue(1);

        attempts.set(0);
        TransientRetry.runIdempotent(() -> failTimes(1, "08006"));
        assertThat(attempts).hasValue(2);
    }

    @Test
    void otherErrorsAreNotRetried() {
        assertThatThrownBy(() -> TransientRetry.call(() -> failTimes(1, "42P04"))).isInstanceOf(SQLException.class);
        assertThat(attempts).hasValue(1);
    }

    private String failTimes(int failures, String sqlState) throws SQLException {
        if (attempts.incrementAndGet() <= failures) {
            throw new SQLException("injected", sqlState);
        }
        return "done";
    }
}
