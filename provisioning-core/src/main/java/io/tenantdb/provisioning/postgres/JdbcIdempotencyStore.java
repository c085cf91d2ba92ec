package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.spi.IdempotencyStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency keys in {@code control_plane.idempotency_keys} (created by {@link JdbcTenantStore#migrate()}).
 * A claim whose request never finished (its process died) expires after {@code abandonAfter}; a completed key is
 * kept for {@code retention}. Immutable and thread-safe.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {

    /** How long a completed key replays its tenant by default. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

    private final Jdbc jdbc;
    private final long abandonAfterMillis;
    private final long retentionMillis;

    /**
     * @param dataSource   connections to the control-plane database
     * @param abandonAfter how long an unfinished claim blocks its key; longer than a provisioning can take
     * @param retention    how long a completed key replays its tenant
     * @throws IllegalArgumentException when a duration is under one second
     */
    public JdbcIdempotencyStore(DataSource dataSource, Duration abandonAfter, Duration retention) {
        this.jdbc = new Jdbc(Objects.requireNonNull(dataSource, "dataSource"));
        this.abandonAfterMillis = millis(abandonAfter, "abandonAfter");
        this.retentionMillis = millis(retention, "retention");
    }

    /** A store with {@link JdbcTenantStore#DEFAULT_LEASE} as abandon time and 24 hours of retention. */
    public JdbcIdempotencyStore(DataSource dataSource) {
        this(dataSource, JdbcTenantStore.DEFAULT_LEASE, DEFAULT_RETENTION);
    }

    @Override
    public Claim claim(String key, String requestHash, UUID tenantId) throws SQLException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestHash, "requestHash");
        Objects.requireNonNull(tenantId, "tenantId");
        return jdbc.withConnection(connection -> {
            expire(connection, key);
            // A concurrent expiry may remove the row between insert and select: then claim again, once more.
            for (int attempt = 0; attempt < 2; attempt++) {
                if (insert(connection, key, requestHash, tenantId)) {
                    return new Claim(Outcome.CLAIMED, Optional.empty());
                }
                Optional<Claim> existing = existing(connection, key, requestHash);
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            throw new SQLException("idempotency key changed hands twice while claiming it", "40001");
        });
    }

    @Override
    public void complete(String key, UUID tenantId) throws SQLException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tenantId, "tenantId");
        jdbc.update("""
                UPDATE control_plane.idempotency_keys SET tenant_id = ?, completed_at = now()
                 WHERE idempotency_key = ?
                """, Jdbc.values(tenantId, key));
    }

    @Override
    public void release(String key) throws SQLException {
        Objects.requireNonNull(key, "key");
        jdbc.update("DELETE FROM control_plane.idempotency_keys WHERE idempotency_key = ? AND completed_at IS NULL",
                Jdbc.values(key));
    }

    /**
     * Deletes keys past retention and claims abandoned past their time.
     *
     * @return how many keys were deleted
     * @throws SQLException when the store fails
     */
    public int purgeExpired() throws SQLException {
        return jdbc.update("DELETE FROM control_plane.idempotency_keys WHERE " + EXPIRED,
                Jdbc.values(retentionMillis, abandonAfterMillis));
    }

    // Past retention, or claimed and never finished for longer than a provisioning may take.
    private static final String EXPIRED = """
            (completed_at < now() - ? * interval '1 millisecond'
             OR (completed_at IS NULL AND created_at < now() - ? * interval '1 millisecond'))""";

    private void expire(Connection connection, String key) throws SQLException {
        Jdbc.update(connection, "DELETE FROM control_plane.idempotency_keys WHERE idempotency_key = ? AND " + EXPIRED,
                Jdbc.values(key, retentionMillis, abandonAfterMillis));
    }

    private static boolean insert(Connection connection, String key, String requestHash, UUID tenantId)
            throws SQLException {
        return Jdbc.update(connection, """
                INSERT INTO control_plane.idempotency_keys (idempotency_key, request_hash, tenant_id)
                VALUES (?, ?, ?) ON CONFLICT DO NOTHING
                """, Jdbc.values(key, requestHash, tenantId)) == 1;
    }

    private static Optional<Claim> existing(Connection connection, String key, String requestHash)
            throws SQLException {
        return Jdbc.query(connection, """
                SELECT request_hash, tenant_id, completed_at IS NOT NULL
                  FROM control_plane.idempotency_keys WHERE idempotency_key = ?
                """, Jdbc.values(key), rs -> {
                    if (!requestHash.equals(rs.getString(1))) {
                        return new Claim(Outcome.MISMATCH, Optional.empty());
                    }
                    Optional<UUID> tenantId = Optional.ofNullable(rs.getObject(2, UUID.class));
                    return new Claim(rs.getBoolean(3) ? Outcome.COMPLETED : Outcome.IN_PROGRESS, tenantId);
                }).stream().findFirst();
    }

    private static long millis(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.toMillis() < 1000) {
            throw new IllegalArgumentException(name + " must be at least one second");
        }
        return duration.toMillis();
    }
}
