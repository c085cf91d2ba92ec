package io.tenantdb.provisioning.postgres;

/** Where {@link CrashingProvisioning} pauses to be killed, in the order a provisioning reaches them. */
enum CrashPoint {
    /** The role exists; {@code CREATE DATABASE} not yet sent. */
    AFTER_ROLE,
    /** The database exists; {@code REVOKE} and its comment not yet sent. */
    AFTER_DATABASE,
    /** The tenant's own connection was proven. */
    AFTER_VERIFY,
    /** The connection string is sealed, not stored. */
    AFTER_ENCRYPT,
    /** The activation is sent, its commit is not. */
    BEFORE_COMMIT,
    /** The activation committed; nothing was answered. */
    AFTER_STORE
}
