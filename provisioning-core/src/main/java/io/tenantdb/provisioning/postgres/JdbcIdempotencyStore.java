package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.spi.IdempotencyStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

    private final DataSource dataSource;
    private final long abandonAfterMillis;
    private final long retentionMillis;

    /**
     * @param dataSource   connections to the control-plane database
     * @param abandonAfter how long an unfinished claim blocks its key; longer than a provisioning can take
     * @param retention    how long a completed key replays its tenant
     * @throws IllegalArgumentException when a duration is under one second
     */
    public JdbcIdempotencyStore(DataSource dataSource, Duration abandonAfter, Duration retention) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
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
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
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
        }
    }

    @Override
    public void complete(String key, UUID tenantId) throws SQLException {
        update("UPDATE control_plane.idempotency_keys SET tenant_id = ?, completed_at = now()"
                + " WHERE idempotency_key = ?", Objects.requireNonNull(tenantId, "tenantId"), key);
    }

    @Override
    public void release(String key) throws SQLException {
        update("DELETE FROM control_plane.idempotency_keys WHERE idempotency_key = ? AND completed_at IS NULL", key);
    }

    /**
     * Deletes keys past retention and claims abandoned past their time.
     *
     * @return how many keys were deleted
     * @throws SQLException when the store fails
     */
    public int purgeExpired() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM control_plane.idempotency_keys"
                     + " WHERE completed_at < now() - ? * interval '1 millisecond'"
                     + " OR (completed_at IS NULL AND created_at < now() - ? * interval '1 millisecond')")) {
            connection.setAutoCommit(true);
            delete.setLong(1, retentionMillis);
            delete.setLong(2, abandonAfterMillis);
            return delete.executeUpdate();
        }
    }

    private void expire(Connection connection, String key) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM control_plane.idempotency_keys"
                + " WHERE idempotency_key = ? AND (completed_at < now() - ? * interval '1 millisecond'"
                + " OR (completed_at IS NULL AND created_at < now() - ? * interval '1 millisecond'))")) {
            delete.setString(1, key);
            delete.setLong(2, retentionMillis);
            delete.setLong(3, abandonAfterMillis);
            delete.executeUpdate();
        }
    }

    private static boolean insert(Connection connection, String key, String requestHash, UUID tenantId)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO control_plane.idempotency_keys"
                + " (idempotency_key, request_hash, tenant_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, key);
            insert.setString(2, requestHash);
            insert.setObject(3, tenantId);
            return insert.executeUpdate() == 1;
        }
    }

    private static Optional<Claim> existing(Connection connection, String key, String requestHash)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT request_hash, tenant_id,"
                + " completed_at IS NOT NULL FROM control_plane.idempotency_keys WHERE idempotency_key = ?")) {
            select.setString(1, key);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!requestHash.equals(rs.getString(1))) {
                    return Optional.of(new Claim(Outcome.MISMATCH, Optional.empty()));
                }
                Optional<UUID> tenantId = Optional.ofNullable(rs.getObject(2, UUID.class));
                return Optional.of(new Claim(rs.getBoolean(3) ? Outcome.COMPLETED : Outcome.IN_PROGRESS, tenantId));
            }
        }
    }

    private void update(String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            connection.setAutoCommit(true);
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, Objects.requireNonNull(parameters[i], "parameter"));
            }
            update.executeUpdate();
        }
    }

    private static long millis(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.toMillis() < 1000) {
            throw new IllegalArgumentException(name + " must be at least one second");
        }
        return duration.toMillis();
    }
}
