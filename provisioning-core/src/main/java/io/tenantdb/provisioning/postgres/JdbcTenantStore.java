package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantCursor;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.SchemaVersionStore;
import io.tenantdb.provisioning.spi.TenantStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The control plane in PostgreSQL schema {@code control_plane} (tables {@code tenants}, {@code tenant_databases}
 * and {@code tenant_schemas}), reached through the host's {@link DataSource}, ideally a pool. Call
 * {@link #migrate()} once at start.
 *
 * <p>Each store is one instance of its control plane: while it holds provisioning or deletion leases it keeps one
 * connection of its own with a session-level advisory lock, its liveness signal. PostgreSQL releases that lock when
 * the process dies, and a reconciler then reclaims the instance's leases at once rather than at their expiry. The
 * connection is taken on the first lease; {@link #close()} releases it, after in-flight work has drained. The
 * control-plane connections must therefore keep their sessions (a direct connection or a session-mode pooler).
 * Thread-safe.
 */
public final class JdbcTenantStore implements TenantStore, SchemaVersionStore, AutoCloseable {

    private static final String SELECT_TENANT = "SELECT t.id, t.name, t.environment, t.status, t.created_at,"
            + " d.database_name, d.server_name FROM control_plane.tenants t"
            + " JOIN control_plane.tenant_databases d ON d.tenant_id = t.id";

    /** How long a provisioning may go without reaching its next step before a reconciler may roll it back. */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(2);

    private final DataSource dataSource;
    private final Jdbc jdbc;
    private final long leaseMillis;
    private final String owner;
    private final InstanceLiveness liveness;
    private volatile UUID controlPlaneId;

    /**
     * A store whose provisioning leases last {@link #DEFAULT_LEASE}, owned by this JVM.
     *
     * @param dataSource connections to the control-plane database
     */
    public JdbcTenantStore(DataSource dataSource) {
        this(dataSource, DEFAULT_LEASE, defaultOwner());
    }

    /**
     * @param dataSource connections to the control-plane database
     * @param lease      how long each step may take before a reconciler may roll the provisioning back; longer
     *                   than the slowest step (create, verify, initialize) can take
     * @param owner      names this instance in the {@code lease_owner} column, for operators
     * @throws IllegalArgumentException when the lease is under one second
     */
    public JdbcTenantStore(DataSource dataSource, Duration lease, String owner) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.jdbc = new Jdbc(dataSource);
        Objects.requireNonNull(lease, "lease");
        if (lease.toMillis() < 1000) {
            throw new IllegalArgumentException("lease must be at least one second");
        }
        this.leaseMillis = lease.toMillis();
        this.owner = Objects.requireNonNull(owner, "owner");
        this.liveness = new InstanceLiveness(dataSource);
    }

    /** Names this JVM as a lease owner: process id, OS and a random suffix. */
    public static String defaultOwner() {
        return ProcessHandle.current().pid() + "@" + System.getProperty("os.name", "host").replace(' ', '_')
                + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Creates or upgrades the {@code control_plane} schema, then revokes {@code PUBLIC}'s {@code CONNECT} on the
     * control-plane database when the connected role owns it (or is a superuser), so tenant roles cannot log in to
     * it; otherwise leaves that privilege alone. Idempotent and safe to run from several instances at once.
     *
     * @return how many schema versions were applied now (0 when already current)
     * @throws SQLException when the control plane refuses
     */
    public int migrate() throws SQLException {
        int applied = jdbc.inTransaction(SchemaMigrator::migrate);
        jdbc.inTransaction(ControlDatabaseAccess::revokePublicConnect);
        return applied;
    }

    /**
     * The id this control plane was given when its schema was created; every database and role it makes carries it
     * (see {@link OwnershipMark}). Read once, after {@link #migrate()}.
     *
     * @throws SQLException when the control plane cannot be read or its schema is not yet created
     */
    public UUID controlPlaneId() throws SQLException {
        UUID known = controlPlaneId;
        if (known == null) {
            known = jdbc.query("SELECT id FROM control_plane.identity", rs -> rs.getObject(1, UUID.class))
                    .stream().findFirst()
                    .orElseThrow(() -> new SQLException("control plane has no identity row", "XX000"));
            controlPlaneId = known;
        }
        return known;
    }

    @Override
    public boolean reserve(Tenant tenant) throws SQLException {
        Objects.requireNonNull(tenant, "tenant");
        return reserveWith(tenant, false, "", RESERVED_COUNT, NO_EXTRA, JdbcTenantStore::outcome)
                == Reservation.RESERVED;
    }

    /**
     * {@inheritDoc}
     *
     * <p>One round trip: the server's row is locked, then one statement counts its tenants and, when it has room,
     * inserts both rows; the lock is held to the commit. Like {@link #reserve}, it need not survive a crash, so it
     * commits without waiting for the WAL flush.
     */
    @Override
    public Reservation reserveOnServer(Tenant tenant) throws SQLException {
        Objects.requireNonNull(tenant, "tenant");
        return reserveWith(tenant, true, "", RESERVED_COUNT, NO_EXTRA, JdbcTenantStore::outcome);
    }

    /**
     * Runs a reservation in one round trip, committed without waiting for the WAL flush (a reservation need not
     * survive a crash): the common table expressions {@code room} (one row when the tenant's server may take it),
     * {@code reserved} (the tenant row's id, none when the name is taken or there is no room) and
     * {@code reserved_database} (its database row's tenant id), then {@code more} expressions of the caller's (the
     * warm pool's, which takes an entry; empty or starting with a comma) and the caller's final {@code select},
     * whose first column must be {@code EXISTS (SELECT FROM room)}. The reservation's parameters are bound here;
     * {@code extra} binds the caller's own, from the index it is given.
     *
     * @param onServer true: lock the tenant's server row first ({@link JdbcServerStore#LOCK_FOR_RESERVATION}) and
     *                 count its tenants under the lock ({@link JdbcServerStore#ROOM}); false: always room
     * @return what {@code reader} makes of the final select's result
     */
    <T> T reserveWith(Tenant tenant, boolean onServer, String more, String select, ExtraBinder extra,
                      Reader<T> reader) throws SQLException {
        String reservation = "WITH " + (onServer ? JdbcServerStore.ROOM : "room AS (SELECT 1)") + ", " + RESERVED
                + ", reserved_database AS (" + RESERVE_DATABASE + " RETURNING tenant_id)" + more + " " + select;
        Jdbc.Binder binder = statement -> {
            int first = 1;
            if (onServer) {
                statement.setString(first++, tenant.server());
                statement.setString(first++, tenant.server());
            }
            extra.bind(statement, bindReservation(statement, first, tenant));
        };
        return onServer ? relaxed(JdbcServerStore.LOCK_FOR_RESERVATION, reservation, binder, reader)
                : relaxed(reservation, binder, reader);
    }

    /** Binds a reservation caller's own parameters, from {@code first}. */
    @FunctionalInterface
    interface ExtraBinder {
        void bind(PreparedStatement statement, int first) throws SQLException;
    }

    /** The plain reservations' binder: they have no parameters of their own. */
    private static final ExtraBinder NO_EXTRA = (statement, first) -> { };

    /**
     * The reservation's tenant row as a common table expression {@code reserved}, inserted only when {@code room}
     * has a row: its {@code id} when inserted, no row when the name is taken or there is no room; 9 parameters.
     */
    private static final String RESERVED = "reserved AS (INSERT INTO control_plane.tenants (id, name, environment,"
            + " status, created_at, updated_at, step, lease_owner, lease_lock, lease_expires_at)"
            + " SELECT ?, ?, ?, ?, ?, ?, 'reserve', ?, ?, now() + ? * interval '1 millisecond' FROM room"
            + " ON CONFLICT DO NOTHING RETURNING id)";

    /** The reservation's database row, after {@link #RESERVED}; 4 parameters. */
    private static final String RESERVE_DATABASE = "INSERT INTO control_plane.tenant_databases (tenant_id,"
            + " database_name, role_name, created_at, server_name) SELECT id, ?, ?, ?, ? FROM reserved";

    /** The plain reservation's final select: whether there was room, and how many database rows were written. */
    private static final String RESERVED_COUNT =
            "SELECT EXISTS (SELECT FROM room), (SELECT count(*) FROM reserved_database)";

    private static Reservation outcome(PreparedStatement statement) throws SQLException {
        try (ResultSet rs = statement.getResultSet()) {
            rs.next();
            return outcome(rs);
        }
    }

    /** What a reservation's final select says, from its first two columns: room, then rows written. */
    static Reservation outcome(ResultSet rs) throws SQLException {
        if (rs.getLong(2) == 1) {
            return Reservation.RESERVED;
        }
        return rs.getBoolean(1) ? Reservation.DUPLICATE : Reservation.NO_ROOM;
    }

    /**
     * Binds the 13 parameters of {@link #RESERVED} and {@link #RESERVE_DATABASE} from {@code first}, with this
     * instance's lease. @return the index after the last one bound
     */
    private int bindReservation(PreparedStatement insert, int first, Tenant tenant) throws SQLException {
        Timestamp now = Timestamp.from(tenant.createdAt());
        insert.setObject(first, tenant.id());
        insert.setString(first + 1, tenant.name());
        insert.setString(first + 2, tenant.environment().wireName());
        insert.setString(first + 3, tenant.status().wireName());
        insert.setTimestamp(first + 4, now);
        insert.setTimestamp(first + 5, now);
        bindLease(insert, first + 6);
        insert.setString(first + 9, tenant.databaseName());
        insert.setString(first + 10, tenant.databaseName());
        insert.setTimestamp(first + 11, now);
        insert.setString(first + 12, tenant.server());
        return first + 13;
    }

    /** Binds this instance's lease as three parameters from {@code first}: owner, liveness lock, milliseconds. */
    void bindLease(PreparedStatement statement, int first) throws SQLException {
        statement.setString(first, owner);
        statement.setObject(first + 1, liveness.key().orElse(null), Types.BIGINT);
        statement.setLong(first + 2, leaseMillis);
    }

    /** The control-plane connections, for the other stores of this package (the warm pool's). */
    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public Duration lease() {
        return Duration.ofMillis(leaseMillis);
    }

    @Override
    public void advance(UUID tenantId, String step) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(step, "step");
        requireOneRow(relaxed("UPDATE control_plane.tenants"
                + " SET step = ?, lease_expires_at = now() + ? * interval '1 millisecond'"
                + " WHERE id = ? AND status = 'provisioning'", update -> {
                    update.setString(1, step);
                    update.setLong(2, leaseMillis);
                    update.setObject(3, tenantId);
                }, JdbcTenantStore::lastUpdateCount));
    }

    @Override
    public void activate(UUID tenantId, StoredDatabase database) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(database, "database");
        // One statement, committed synchronously: the tenant turns active only together with its secret, and only
        // if it is still being provisioned (a reconciler may have rolled it back). Its row is locked first, so
        // either both rows change or, when it is no longer provisioning or another database is recorded, neither.
        requireOneRow(TransientRetry.call(() -> jdbc.update("""
                WITH provisioning AS (
                    SELECT id FROM control_plane.tenants WHERE id = ? AND status = 'provisioning' FOR UPDATE),
                recorded AS (
                    UPDATE control_plane.tenant_databases SET connection_string_encrypted = ?, key_id = ?
                     WHERE tenant_id IN (SELECT id FROM provisioning) AND database_name = ? AND role_name = ?
                    RETURNING tenant_id)
                UPDATE control_plane.tenants
                   SET status = 'active', updated_at = now(), step = NULL,
                       lease_owner = NULL, lease_lock = NULL, lease_expires_at = NULL
                 WHERE id IN (SELECT tenant_id FROM recorded)
                """, Jdbc.values(tenantId, database.connectionStringEncrypted(), database.keyId(),
                database.databaseName(), database.roleName()))));
    }

    @Override
    public void release(UUID tenantId) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        TransientRetry.runIdempotent(() -> jdbc.update("DELETE FROM control_plane.tenants WHERE id = ?",
                Jdbc.values(tenantId)));
    }

    @Override
    public Optional<Tenant> find(UUID tenantId) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        return jdbc.queryFirst(SELECT_TENANT + " WHERE t.id = ?", Jdbc.values(tenantId), JdbcTenantStore::tenant);
    }

    @Override
    public Optional<StoredDatabase> findDatabase(UUID tenantId) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        return jdbc.queryFirst("""
                SELECT database_name, role_name, connection_string_encrypted, key_id
                  FROM control_plane.tenant_databases
                 WHERE tenant_id = ? AND connection_string_encrypted IS NOT NULL
                """, Jdbc.values(tenantId),
                rs -> new StoredDatabase(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
    }

    @Override
    public TenantPage list(TenantQuery query) throws SQLException {
        Objects.requireNonNull(query, "query");
        StringBuilder sql = new StringBuilder(SELECT_TENANT).append(" WHERE true");
        List<Object> parameters = new ArrayList<>();
        query.environment().ifPresent(environment -> {
            sql.append(" AND t.environment = ?");
            parameters.add(environment.wireName());
        });
        query.status().ifPresent(status -> {
            sql.append(" AND t.status = ?");
            parameters.add(status.wireName());
        });
        query.after().ifPresent(cursor -> {
            sql.append(" AND (t.created_at, t.id) < (?, ?)");
            parameters.add(Timestamp.from(cursor.createdAt()));
            parameters.add(cursor.id());
        });
        // One extra row tells whether another page follows.
        sql.append(" ORDER BY t.created_at DESC, t.id DESC LIMIT ").append(query.limit() + 1);
        List<Tenant> tenants = jdbc.query(sql.toString(), Jdbc.values(parameters.toArray()), JdbcTenantStore::tenant);
        if (tenants.size() <= query.limit()) {
            return new TenantPage(tenants, Optional.empty());
        }
        List<Tenant> page = tenants.subList(0, query.limit());
        return new TenantPage(page, Optional.of(TenantCursor.after(page.get(page.size() - 1))));
    }

    @Override
    public Optional<Tenant> beginDeletion(UUID tenantId) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Long lock = liveness.key().orElse(null);
        jdbc.update("""
                UPDATE control_plane.tenants
                   SET status = 'deleting', updated_at = now(), step = 'delete', lease_owner = ?, lease_lock = ?,
                       lease_expires_at = now() + ? * interval '1 millisecond'
                 WHERE id = ? AND status IN ('active', 'failed', 'deleting')
                """, update -> {
                    update.setString(1, owner);
                    update.setObject(2, lock, Types.BIGINT);
                    update.setLong(3, leaseMillis);
                    update.setObject(4, tenantId);
                });
        return find(tenantId);
    }

    @Override
    public void finishDeletion(UUID tenantId) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        TransientRetry.call(() -> jdbc.inTransaction(connection -> {
            Jdbc.update(connection, """
                    UPDATE control_plane.tenant_databases SET connection_string_encrypted = NULL, key_id = NULL
                     WHERE tenant_id = ?
                    """, Jdbc.values(tenantId));
            requireOneRow(Jdbc.update(connection, """
                    UPDATE control_plane.tenants
                       SET status = 'deleted', updated_at = now(), step = NULL,
                           lease_owner = NULL, lease_lock = NULL, lease_expires_at = NULL
                     WHERE id = ? AND status IN ('deleting', 'deleted')
                    """, Jdbc.values(tenantId)));
            return null;
        }));
    }

    @Override
    public boolean replaceSecret(UUID tenantId, String expected, SealedValue replacement) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(replacement, "replacement");
        return jdbc.update("""
                UPDATE control_plane.tenant_databases SET connection_string_encrypted = ?, key_id = ?
                 WHERE tenant_id = ? AND connection_string_encrypted = ?
                """, Jdbc.values(replacement.value(), replacement.keyId(), tenantId, expected)) == 1;
    }

    @Override
    public List<StoredSecret> secretsNotSealedBy(String keyId, UUID after, int limit) throws SQLException {
        Objects.requireNonNull(keyId, "keyId");
        return jdbc.query("""
                SELECT tenant_id, connection_string_encrypted, key_id FROM control_plane.tenant_databases
                 WHERE connection_string_encrypted IS NOT NULL AND key_id <> ? AND tenant_id > ?
                 ORDER BY tenant_id LIMIT ?
                """, Jdbc.values(keyId, after == null ? new UUID(0, 0) : after, limit),
                rs -> new StoredSecret(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
    }

    @Override
    public void recordMigrated(UUID tenantId, String version) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(version, "version");
        jdbc.update("""
                INSERT INTO control_plane.tenant_schemas (tenant_id, version, migrated_at) VALUES (?, ?, now())
                ON CONFLICT (tenant_id) DO UPDATE
                   SET version = excluded.version, migrated_at = excluded.migrated_at,
                       failed_version = NULL, failure_code = NULL, failed_at = NULL
                """, Jdbc.values(tenantId, version));
    }

    @Override
    public void recordFailure(UUID tenantId, String failedVersion, String errorCode) throws SQLException {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(failedVersion, "failedVersion");
        Objects.requireNonNull(errorCode, "errorCode");
        jdbc.update("""
                INSERT INTO control_plane.tenant_schemas (tenant_id, failed_version, failure_code, failed_at)
                VALUES (?, ?, ?, now())
                ON CONFLICT (tenant_id) DO UPDATE
                   SET failed_version = excluded.failed_version, failure_code = excluded.failure_code,
                       failed_at = excluded.failed_at
                """, Jdbc.values(tenantId, failedVersion, errorCode));
    }

    /**
     * Counts the control plane's tenants by status, with every status present (0 when none), e.g. for gauges. One
     * aggregate query over {@code control_plane.tenants}, tombstones included: call it on an interval, not per
     * request.
     *
     * @throws SQLException when the control plane cannot be read
     */
    public Map<TenantStatus, Long> countByStatus() throws SQLException {
        Map<TenantStatus, Long> counts = new EnumMap<>(TenantStatus.class);
        for (TenantStatus status : TenantStatus.values()) {
            counts.put(status, 0L);
        }
        jdbc.query("""
                        SELECT status, count(*) FROM control_plane.tenants GROUP BY status
                        """, Jdbc.values(), rs -> Map.entry(rs.getString(1), rs.getLong(2)))
                .forEach(row -> TenantStatus.fromWireName(row.getKey())
                        .ifPresent(status -> counts.put(status, row.getValue())));
        return Collections.unmodifiableMap(counts);
    }

    @Override
    public Map<UUID, TenantSchema> schemas(Collection<UUID> tenantIds) throws SQLException {
        Objects.requireNonNull(tenantIds, "tenantIds");
        if (tenantIds.isEmpty()) {
            return Map.of();
        }
        return jdbc.query("""
                        SELECT tenant_id, version, migrated_at, failed_version, failure_code, failed_at
                          FROM control_plane.tenant_schemas WHERE tenant_id = ANY (?::uuid[])
                        """, Jdbc.values((Object) tenantIds.stream().map(UUID::toString).toArray(String[]::new)),
                        rs -> Map.entry(rs.getObject(1, UUID.class), new TenantSchema(
                                Optional.ofNullable(rs.getString(2)), instant(rs.getTimestamp(3)),
                                Optional.ofNullable(rs.getString(4)), Optional.ofNullable(rs.getString(5)),
                                instant(rs.getTimestamp(6)))))
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Override
    public FleetSchemas summarize(Optional<String> targetVersion, Optional<UUID> failedAfter, int limit)
            throws SQLException {
        Objects.requireNonNull(targetVersion, "targetVersion");
        Objects.requireNonNull(failedAfter, "failedAfter");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1 to 1000");
        }
        String target = targetVersion.orElse(null);
        List<long[]> states = new ArrayList<>();
        List<VersionCount> versions = jdbc.query("""
                SELECT s.version, count(*),
                       count(*) FILTER (WHERE s.failure_code IS NOT NULL),
                       count(*) FILTER (WHERE s.failure_code IS NULL AND (?::text IS NULL OR s.version = ?::text))
                  FROM control_plane.tenants t
                  LEFT JOIN control_plane.tenant_schemas s ON s.tenant_id = t.id
                 WHERE t.status = 'active'
                 GROUP BY s.version ORDER BY s.version NULLS FIRST
                """, Jdbc.values(target, target), rs -> {
                    states.add(new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                    return new VersionCount(Optional.ofNullable(rs.getString(1)), rs.getInt(2));
                });
        long total = states.stream().mapToLong(state -> state[0]).sum();
        long failed = states.stream().mapToLong(state -> state[1]).sum();
        long current = states.stream().mapToLong(state -> state[2]).sum();
        // One more than the page tells whether another page follows.
        List<UUID> failedIds = jdbc.query("""
                SELECT t.id FROM control_plane.tenants t
                  JOIN control_plane.tenant_schemas s ON s.tenant_id = t.id
                 WHERE t.status = 'active' AND s.failure_code IS NOT NULL AND t.id > ?
                 ORDER BY t.id LIMIT ?
                """, Jdbc.values(failedAfter.orElse(new UUID(0, 0)), limit + 1),
                rs -> rs.getObject(1, UUID.class));
        List<UUID> page = failedIds.subList(0, Math.min(limit, failedIds.size()));
        Optional<UUID> next = failedIds.size() > limit ? Optional.of(page.get(page.size() - 1)) : Optional.empty();
        return new FleetSchemas(targetVersion, versions, (int) current, (int) (total - failed - current),
                (int) failed, page, next);
    }

    private static Optional<Instant> instant(Timestamp timestamp) {
        return Optional.ofNullable(timestamp).map(Timestamp::toInstant);
    }

    /** Releases this instance's liveness signal; its leases still held become reclaimable at once. */
    @Override
    public void close() {
        liveness.close();
    }

    // The lease's owner is gone: its lease expired, or the advisory lock its liveness session held is free.
    static final String ABANDONED = """
            (t.lease_expires_at < now() OR t.lease_lock IS NOT NULL AND NOT EXISTS (
                SELECT FROM pg_locks l
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND l.classid::bigint = t.lease_lock >> 32 AND l.objid::bigint = t.lease_lock & 4294967295))
            """;

    /**
     * Tenants on {@code server} in {@code status} (provisioning or deleting) whose lease's owner is gone, with their
     * database names.
     */
    List<Abandoned> abandoned(TenantStatus status, String server) throws SQLException {
        return jdbc.query("""
                SELECT t.id, d.database_name FROM control_plane.tenants t
                  LEFT JOIN control_plane.tenant_databases d ON d.tenant_id = t.id
                 WHERE t.status = ? AND coalesce(d.server_name, 'default') = ? AND""" + ABANDONED,
                Jdbc.values(status.wireName(), server),
                rs -> new Abandoned(rs.getObject(1, UUID.class), Optional.ofNullable(rs.getString(2))));
    }

    /** Deletes an abandoned provisioning's rows, unless its owner renewed the lease meanwhile. */
    boolean removeAbandoned(UUID tenantId) throws SQLException {
        return jdbc.update("DELETE FROM control_plane.tenants t WHERE t.id = ? AND t.status = 'provisioning' AND"
                + ABANDONED, delete -> delete.setObject(1, tenantId)) == 1;
    }

    /** The status of each of these tenants that this control plane knows. */
    Map<UUID, TenantStatus> statuses(Collection<UUID> tenantIds) throws SQLException {
        if (tenantIds.isEmpty()) {
            return Map.of();
        }
        return jdbc.query("SELECT id, status FROM control_plane.tenants WHERE id = ANY (?::uuid[])",
                        Jdbc.values((Object) tenantIds.stream().map(UUID::toString).toArray(String[]::new)),
                        rs -> Map.entry(rs.getObject(1, UUID.class), status(rs.getString(2))))
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Every active tenant on {@code server} with the names of its database and role. */
    List<ActiveTenant> activeTenants(String server) throws SQLException {
        return jdbc.query("""
                SELECT t.id, d.database_name, d.role_name FROM control_plane.tenants t
                  JOIN control_plane.tenant_databases d ON d.tenant_id = t.id
                 WHERE t.status = 'active' AND d.server_name = ?
                """, Jdbc.values(server),
                rs -> new ActiveTenant(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)));
    }

    /** An active tenant and the objects it should have. */
    record ActiveTenant(UUID tenantId, String databaseName, String roleName) {
    }

    /**
     * Takes the reconciler's advisory lock on a connection of its own, if no other instance holds it.
     *
     * @return the held lock, to close when the pass ends; empty when another instance is reconciling
     */
    Optional<SessionLock> tryLockReconciler() throws SQLException {
        return SessionLock.tryTake(dataSource, RECONCILER_LOCK_KEY);
    }

    // Distinct from the schema migration lock.
    static final long RECONCILER_LOCK_KEY = 0x74656e616e747263L;

    /**
     * A provisioning or deletion whose owner is gone.
     *
     * @param databaseName its recorded database, when the row has one
     */
    record Abandoned(UUID tenantId, Optional<String> databaseName) {
    }

    private static Tenant tenant(ResultSet rs) throws SQLException {
        return new Tenant(rs.getObject(1, UUID.class), rs.getString(2),
                Environment.fromWireName(rs.getString(3)).orElseThrow(() -> unknown("environment")),
                status(rs.getString(4)), rs.getString(6), rs.getTimestamp(5).toInstant(), rs.getString(7));
    }

    private static TenantStatus status(String wireName) throws SQLException {
        return TenantStatus.fromWireName(wireName).orElseThrow(() -> unknown("status"));
    }

    private static SQLException unknown(String column) {
        return new SQLException("unknown " + column + " in control plane", "XX000");
    }

    /**
     * Runs one write in one round trip, in its own implicit transaction with {@code synchronous_commit} off:
     * reservation and step markers need not survive a crash (the reconciler trusts the database objects it finds),
     * so they skip the wait for the WAL flush; activation does not.
     *
     * <p>The two statements go out in one batch before one Sync, so PostgreSQL runs them in one implicit
     * transaction and commits it at the Sync, with the local setting still in force. {@code set_config(…, true)}
     * rather than {@code SET LOCAL}: outside an explicit {@code BEGIN} the latter logs "SET LOCAL can only be used
     * in transaction blocks" on the server for every call; an explicit transaction would cost a round trip more.
     *
     * @return what {@code reader} makes of the executed statement
     */
    <T> T relaxed(String sql, Jdbc.Binder binder, Reader<T> reader) throws SQLException {
        return relaxed("SELECT set_config('synchronous_commit', 'off', true)", sql, binder, reader);
    }

    /** As {@link #relaxed(String, Jdbc.Binder, Reader)}, with a first statement of the caller's that sets it. */
    private <T> T relaxed(String relaxing, String sql, Jdbc.Binder binder, Reader<T> reader) throws SQLException {
        return TransientRetry.call(() -> {
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement statement = connection.prepareStatement(relaxing + "; " + sql)) {
                connection.setAutoCommit(true);
                binder.bind(statement);
                statement.execute();
                // The first result is the relaxing statement's.
                statement.getMoreResults();
                return reader.read(statement);
            }
        });
    }

    /** Reads the result of the statement {@link #relaxed} ran, positioned on it. */
    @FunctionalInterface
    interface Reader<T> {
        T read(PreparedStatement statement) throws SQLException;
    }

    private static int lastUpdateCount(PreparedStatement statement) throws SQLException {
        return statement.getUpdateCount();
    }

    private static void requireOneRow(int updated) throws SQLException {
        if (updated != 1) {
            throw new SQLException("tenant is no longer being provisioned", "55000");
        }
    }

}
