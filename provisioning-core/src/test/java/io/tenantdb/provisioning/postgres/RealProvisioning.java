package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.internal.ConnectionStringSealer;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The real components wired against the shared test server: a fresh control database, a random key, and a
 * database prefix of its own so that counting and cleaning up never touches another test's objects.
 */
final class RealProvisioning implements AutoCloseable {

    final TestPostgres postgres;
    final String prefix;
    final String controlDatabase;
    final TenantConnector connector = TenantConnector.withDefaults();
    final PostgresDatabaseCreator creator;
    final JdbcConnectionVerifier verifier = new JdbcConnectionVerifier(connector);
    final AesGcmCipherService cipher;
    final JdbcTenantStore store;

    RealProvisioning(TestPostgres postgres) throws SQLException {
        this(postgres, randomPrefix());
    }

    private RealProvisioning(TestPostgres postgres, String prefix) throws SQLException {
        this.postgres = postgres;
        this.prefix = prefix;
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[EncryptionKey.LENGTH];
        random.nextBytes(key);
        this.cipher = new AesGcmCipherService(EncryptionKey.of(key));
        this.controlDatabase = postgres.createDatabase("control_");
        this.store = new JdbcTenantStore(postgres.dataSource(controlDatabase));
        store.migrate();
        this.creator = PostgresDatabaseCreator.builder(postgres.adminDataSource(), store.controlPlaneId())
                .tenantEndpoint(postgres.host(), postgres.port())
                .build();
    }

    /** A second control plane on the same cluster with the same prefix, as staging beside production would be. */
    RealProvisioning anotherControlPlane() throws SQLException {
        return new RealProvisioning(postgres, prefix);
    }

    private static String randomPrefix() {
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        return "t" + HexFormat.of().formatHex(suffix) + "_";
    }

    /** All real components, with this instance's prefix. */
    TenantProvisioner.Builder builder() {
        return TenantProvisioner.builder()
                .databaseCreator(creator)
                .connectionVerifier(verifier)
                .cipherService(cipher)
                .tenantStore(store)
                .databasePrefix(prefix);
    }

    /** A reconciler over this instance's control plane and prefix. */
    PostgresReconciler reconciler() {
        return new PostgresReconciler(store, creator, prefix);
    }

    /** The tenant's credentials, read back the way an operator would: decrypted from the control plane. */
    ConnectionDetails storedDetails(UUID tenantId) throws Exception {
        String sealed = store.findDatabase(tenantId).orElseThrow().connectionStringEncrypted();
        byte[] uri = cipher.decrypt(sealed, ConnectionStringSealer.associatedData(tenantId));
        return ConnectionDetails.fromUri(new String(uri, StandardCharsets.UTF_8));
    }

    List<String> databasesWithPrefix() throws SQLException {
        return Sql.strings(postgres.adminDataSource(),
                "SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY 1",
                prefix);
    }

    List<String> rolesWithPrefix() throws SQLException {
        return Sql.strings(postgres.adminDataSource(),
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, ?) ORDER BY 1",
                prefix);
    }

    /** Rows of the tenant in both control-plane tables. */
    int controlRows(UUID tenantId) throws SQLException {
        return Integer.parseInt(Sql.strings(postgres.dataSource(controlDatabase),
                "SELECT (SELECT count(*) FROM control_plane.tenants WHERE id = ?::uuid)"
                        + " + (SELECT count(*) FROM control_plane.tenant_databases WHERE tenant_id = ?::uuid)",
                tenantId.toString(), tenantId.toString()).get(0));
    }

    /**
     * Ages a tenant's lease past its expiry on the server's clock, the one the reconciler compares with, so a test
     * need not wait for it.
     */
    void expireLease(UUID tenantId) throws SQLException {
        Sql.strings(postgres.dataSource(controlDatabase), """
                UPDATE control_plane.tenants SET lease_expires_at = now() - interval '1 second'
                 WHERE id = ?::uuid RETURNING id""", tenantId.toString());
    }

    /**
     * Drops every database and role named with this instance's prefix, whoever marked it (the prefix is this test's
     * own), and the control database.
     */
    @Override
    public void close() throws SQLException {
        store.close();
        databasesWithPrefix().forEach(postgres::dropDatabase);
        // Before the roles: a test may have given one of them an object there.
        postgres.dropDatabase(controlDatabase);
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            for (String role : rolesWithPrefix()) {
                statement.execute("DROP ROLE IF EXISTS " + Identifiers.quote(role));
            }
        }
    }
}
