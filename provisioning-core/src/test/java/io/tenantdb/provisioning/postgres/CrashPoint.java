package io.tenantdb.provisioning.postgres;

/**
 * Where {@link CrashingProvisioning} pauses to be killed, in the order a provisioning reaches them, and the two
 * points of {@link CrashingWarmPool}.
 */
enum CrashPoint {
    /** The role exists; {@code CREATE DATABASE} not yet sent. */
    AFTER_ROLE,
    /** The database exists; {@code REVOKE} and its comment not yet sent. */
    AFTER_DATABASE,
    /** The tenant's own connection was proven. */
    AFTER_VERIFY,
    /** The connection string is sealed, not stored. */
    AFTER_ENCRYPT,
    /** The activation committed; nothing was answered. */
    AFTER_STORE,
    /** Warm pool: an entry's row and role exist, its database is not yet created ({@link CrashingWarmPool}). */
    ENTRY_HALF_MADE,
    /** Warm pool: the reservation took an entry; the rename is not sent ({@link CrashingWarmPool}). */
    BEFORE_RENAME
}
