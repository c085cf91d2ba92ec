package io.tenantdb.provisioning;

/** Why provisioning failed. Adapters map each code to one response in one place. */
public enum ErrorCode {
    /** The request itself is unacceptable; nothing was created. */
    INVALID_REQUEST,
    /** A live tenant with the same name (case-insensitive) exists in the same environment. */
    DUPLICATE_TENANT,
    /** The Idempotency-Key was already used with a different request. */
    IDEMPOTENCY_KEY_REUSED,
    /** A request with the same Idempotency-Key is still running; retry later. */
    REQUEST_IN_PROGRESS,
    /** The tenant exists but is not in a state that allows the operation (e.g. still provisioning). */
    TENANT_NOT_ACTIVE,
    /** Idempotency keys were sent but no idempotency store is configured. */
    IDEMPOTENCY_NOT_SUPPORTED,
    /** No tenant has the given id. */
    TENANT_NOT_FOUND,
    /** No registered server is active, healthy and under its capacity; retrying later may succeed. */
    NO_CAPACITY,
    /** No server has the given name. */
    SERVER_NOT_FOUND,
    /** A server with the given name is already registered. */
    DUPLICATE_SERVER,
    /** A server to register did not answer or refused the admin's login; nothing was stored. */
    SERVER_UNREACHABLE,
    /** A server to register answered, but its admin role lacks CREATEDB or CREATEROLE; nothing was stored. */
    SERVER_NOT_PRIVILEGED,
    /** PostgreSQL could not be reached or refused connections; retrying later may succeed. */
    DATABASE_UNAVAILABLE,
    /** Reserving the tenant in the control plane failed. */
    RESERVE_FAILED,
    /** Creating the tenant's role or database failed. */
    CREATE_FAILED,
    /** The new database did not accept a connection with the tenant's own credentials. */
    VERIFY_FAILED,
    /** The host's initializer failed on the new database. */
    INITIALIZE_FAILED,
    /** Encrypting or decrypting the connection string failed. */
    CRYPTO_FAILED,
    /** Recording the provisioned database in the control plane failed. */
    STORE_FAILED
}
