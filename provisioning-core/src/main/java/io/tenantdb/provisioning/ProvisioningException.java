package io.tenantdb.provisioning;

import java.util.Objects;

/**
 * The one exception the library throws for provisioning failures. Its message never contains a password,
 * a connection string or SQL text; the cause, when kept, is for logs that the host controls.
 */
public class ProvisioningException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** @throws NullPointerException when {@code code} is null */
    public ProvisioningException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** @throws NullPointerException when {@code code} is null */
    public ProvisioningException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** Returns why provisioning failed. */
    public ErrorCode code() {
        return code;
    }
}
