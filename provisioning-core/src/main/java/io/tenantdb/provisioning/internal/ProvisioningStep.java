package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ErrorCode;

import java.util.Locale;

/**
 * The steps of provisioning, in order, each with the code reported when it fails: create, or claim when a warm pool
 * entry was taken; credential rotation uses {@link #ROTATE} and then verify, encrypt and store.
 */
enum ProvisioningStep {
    RESERVE(ErrorCode.RESERVE_FAILED, false),
    CREATE(ErrorCode.CREATE_FAILED, false),
    CLAIM(ErrorCode.CREATE_FAILED, false),
    ROTATE(ErrorCode.CREATE_FAILED, false),
    VERIFY(ErrorCode.VERIFY_FAILED, true),
    INITIALIZE(ErrorCode.INITIALIZE_FAILED, true),
    ENCRYPT(ErrorCode.CRYPTO_FAILED, false),
    STORE(ErrorCode.STORE_FAILED, false);

    private final ErrorCode failureCode;
    private final boolean renewsLease;

    ProvisioningStep(ErrorCode failureCode, boolean renewsLease) {
        this.failureCode = failureCode;
        this.renewsLease = renewsLease;
    }

    /**
     * Steps that talk to PostgreSQL and may take long record their start and renew the lease first, once half of
     * it has passed since it was written ({@link io.tenantdb.provisioning.spi.TenantStore#lease()}). Reserve takes
     * the lease a moment before create or claim starts, so those two run on it; encrypt is instant and store ends
     * the provisioning.
     */
    boolean renewsLease() {
        return renewsLease;
    }

    ErrorCode failureCode() {
        return failureCode;
    }

    /**
     * Verify and initialize connect as the new role: a failed connection there is the new database's fault, not an
     * outage, unless the server is refusing every new session.
     */
    boolean usesAdminConnections() {
        return this != VERIFY && this != INITIALIZE;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
