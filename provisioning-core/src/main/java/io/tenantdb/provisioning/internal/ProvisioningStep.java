package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.ErrorCode;

import java.util.Locale;

/** The steps of provisioning, in order, each with the code reported when it fails. */
enum ProvisioningStep {
    RESERVE(ErrorCode.RESERVE_FAILED),
    CREATE(ErrorCode.CREATE_FAILED),
    VERIFY(ErrorCode.VERIFY_FAILED),
    INITIALIZE(ErrorCode.INITIALIZE_FAILED),
    ENCRYPT(ErrorCode.CRYPTO_FAILED),
    STORE(ErrorCode.STORE_FAILED);

    private final ErrorCode failureCode;

    ProvisioningStep(ErrorCode failureCode) {
        this.failureCode = failureCode;
    }

    ErrorCode failureCode() {
        return failureCode;
    }

    /** Verify and initialize connect as the new role: a refusal there is the new database's fault, not an outage. */
    boolean usesAdminConnections() {
        return this != VERIFY && this != INITIALIZE;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
