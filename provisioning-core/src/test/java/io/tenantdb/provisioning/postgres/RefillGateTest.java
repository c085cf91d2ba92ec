package io.tenantdb.provisioning.postgres;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When the warm pool's keeper may refill after claims, on explicit times (no clock is read). */
class RefillGateTest {

    private static final long DELAY = 1_000;
    private final RefillGate gate = new RefillGate(DELAY);

    @Test
    void withoutClaimsTheKeeperRefillsAtOnce() {
        assertThat(gate.waitNanos(5)).isZero();
    }

    @Test
    void aBurstHoldsTheRefillBackForTheDelayAfterItsFirstClaim() {
        gate.claimed(100);
        gate.claimed(400);

        assertThat(gate.waitNanos(500)).isEqualTo(600);
    }

    @Test
    void claimsThatNeverPauseHoldItBackOnlyForTheFirstDelay() {
        for (long now = 0; now <= 3_000; now += 200) {
            gate.claimed(now);
        }

        assertThat(gate.waitNanos(3_000)).isZero();
    }

    @Test
    void aPauseAsLongAsTheDelayEndsTheBurstAndTheNextClaimStartsANewOne() {
        gate.claimed(0);
        assertThat(gate.waitNanos(1_500)).isZero();

        gate.claimed(2_000);

        assertThat(gate.waitNanos(2_100)).isEqualTo(900);
    }
}
