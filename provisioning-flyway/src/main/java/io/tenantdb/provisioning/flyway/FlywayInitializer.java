package io.tenantdb.provisioning.flyway;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.spi.DatabaseInitializer;
import io.tenantdb.provisioning.spi.SchemaVersionStore;

import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Applies the host's migrations to each new tenant database, connected as the tenant's own role, so the tenant
 * owns every object they create, and records the version reached in the control plane. The directory is read at
 * each provisioning, so new tenants get the latest version without a restart. A failing migration fails the
 * provisioning, which then removes the database, the role and the rows. Immutable and thread-safe.
 *
 * <pre>{@code
 * TenantProvisioner.builder()...
 *         .databaseInitializer(new FlywayInitializer(FlywayMigrations.fromDirectory(dir), connector, store))
 * }</pre>
 */
public final class FlywayInitializer implements DatabaseInitializer {

    private final FlywayMigrations migrations;
    private final TenantConnector connector;
    private final SchemaVersionStore versions;

    /**
     * @param migrations what to apply
     * @param connector  opens connections as the tenant
     * @param versions   where the version reached is recorded (e.g. the {@code JdbcTenantStore})
     * @throws NullPointerException when an argument is null
     */
    public FlywayInitializer(FlywayMigrations migrations, TenantConnector connector, SchemaVersionStore versions) {
        this.migrations = Objects.requireNonNull(migrations, "migrations");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.versions = Objects.requireNonNull(versions, "versions");
    }

    /** Applies the migrations and records nothing (no tenant is named). */
    @Override
    public void initialize(ConnectionDetails details) {
        migrate(details);
    }

    /**
     * Applies the migrations and records the version reached for {@code tenantId}.
     *
     * @throws SQLException when recording fails
     * @throws org.flywaydb.core.api.FlywayException when a migration fails
     */
    @Override
    public void initialize(UUID tenantId, ConnectionDetails details) throws SQLException {
        Optional<String> version = migrate(details);
        if (version.isPresent()) {
            versions.recordMigrated(tenantId, version.get());
        }
    }

    /** The highest versioned migration in the directory now, {@link FlywayMigrations#latestVersion()}. */
    @Override
    public Optional<String> schemaVersion() {
        return migrations.latestVersion();
    }

    private Optional<String> migrate(ConnectionDetails details) {
        return migrations.migrate(connector.dataSource(details)).version();
    }
}
