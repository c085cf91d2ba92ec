package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ServerRegistration;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.spi.PlacementPolicy;
import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One API instance of a control plane with a server registry: a {@link RealProvisioning} (the shared test server is
 * the {@code default} server and holds the control plane), its {@link JdbcServerStore}, directory, registry and a
 * provisioner placing across the registered servers. {@link #anotherInstance()} is a second API instance on the same
 * control plane. Closing drops this control plane's prefixed objects on every server it was told about.
 */
final class RealServers implements AutoCloseable {

    /** {@code pg_hba.conf} lines of an extra server: tenant roles authenticate with SCRAM. */
    static final List<String> SCRAM = List.of("host all all 127.0.0.1/32 scram-sha-256",
            "host all all ::1/128 scram-sha-256");

    final RealProvisioning real;
    final JdbcTenantStore store;
    final JdbcServerStore servers;
    final PostgresServerDirectory directory;
    final ServerRegistry registry;
    private final List<TestPostgres> extra = new ArrayList<>();
    private final List<RealServers> instances = new ArrayList<>();

    RealServers(RealProvisioning real) throws SQLException {
        this(real, real.store, Clock.systemUTC());
        servers.registerDefault(real.postgres.host(), real.postgres.port());
    }

    private RealServers(RealProvisioning real, JdbcTenantStore store, Clock clock) throws SQLException {
        this.real = real;
        this.store = store;
        this.servers = new JdbcServerStore(real.postgres.dataSource(real.controlDatabase));
        this.directory = PostgresServerDirectory.builder(servers, real.cipher, real.connector,
                        real.postgres.adminDataSource(), store.controlPlaneId())
                .clock(clock).backOff(Duration.ofMinutes(5)).build();
        this.registry = new ServerRegistry(servers, directory, real.cipher);
    }

    /** Starts an extra embedded server whose tenant roles authenticate with SCRAM; the caller closes it. */
    static DedicatedPostgres startServer() {
        return DedicatedPostgres.start(Map.of(), SCRAM);
    }

    /** A second API instance of the same control plane: its own stores, directory and liveness. */
    RealServers anotherInstance() throws SQLException {
        RealServers other = new RealServers(real, new JdbcTenantStore(real.postgres.dataSource(real.controlDatabase)),
                Clock.systemUTC());
        instances.add(other);
        return other;
    }

    /** An instance whose back-offs run on {@code clock}. */
    RealServers withClock(Clock clock) throws SQLException {
        RealServers other = new RealServers(real, store, clock);
        instances.add(other);
        return other;
    }

    /** The admin URL of a test server's superuser. */
    static String adminUrl(TestPostgres server) {
        return "postgresql://" + server.adminUser() + ":" + server.adminPassword() + "@"
                + server.host() + ":" + server.port() + "/postgres";
    }

    /** Registers a server and remembers it for clean-up. */
    DatabaseServer register(String name, TestPostgres server, int weight, Optional<Integer> maxTenants) {
        remember(server);
        return registry.register(new ServerRegistration(name, adminUrl(server), Optional.empty(), Optional.empty(),
                maxTenants, Optional.of(weight)));
    }

    /** Cleans this control plane's objects from {@code server} too when closing. */
    void remember(TestPostgres server) {
        if (!extra.contains(server)) {
            extra.add(server);
        }
    }

    /** A provisioner placing across the registry, with this fixture's prefix. */
    TenantProvisioner provisioner() {
        return provisioner(PlacementPolicy.weightedLeastLoaded());
    }

    TenantProvisioner provisioner(PlacementPolicy policy) {
        return builder(policy).build();
    }

    /** The builder of {@link #provisioner(PlacementPolicy)}, for a test to add to. */
    TenantProvisioner.Builder builder(PlacementPolicy policy) {
        return TenantProvisioner.builder()
                .servers(servers, directory)
                .placementPolicy(policy)
                .connectionVerifier(real.verifier)
                .cipherService(real.cipher)
                .tenantStore(store)
                .databasePrefix(real.prefix);
    }

    TenantConnections connections() {
        return new TenantConnections(store, real.cipher);
    }

    RegistryReconciler reconciler() {
        return new RegistryReconciler(store, servers, directory, real.prefix);
    }

    /** This fixture's tenant databases on a server. */
    List<String> databasesOn(TestPostgres server) throws SQLException {
        return Sql.strings(server.adminDataSource(),
                "SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY 1", real.prefix);
    }

    /** This fixture's tenant roles on a server. */
    List<String> rolesOn(TestPostgres server) throws SQLException {
        return Sql.strings(server.adminDataSource(),
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, ?) ORDER BY 1", real.prefix);
    }

    /** Rows in the control plane's tenant tables. */
    int tenantRows() throws SQLException {
        return Integer.parseInt(Sql.strings(real.postgres.dataSource(real.controlDatabase),
                "SELECT (SELECT count(*) FROM control_plane.tenants)"
                        + " + (SELECT count(*) FROM control_plane.tenant_databases)").get(0));
    }

    /** Drops this fixture's objects on the extra servers; the shared one is cleaned by {@link RealProvisioning}. */
    @Override
    public void close() throws SQLException {
        for (RealServers instance : instances) {
            if (instance.store != store) {
                instance.store.close();
            }
        }
        for (TestPostgres server : extra) {
            try (Connection connection = server.adminDataSource().getConnection();
                 Statement statement = connection.createStatement()) {
                for (String database : databasesOn(server)) {
                    statement.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(database) + " WITH (FORCE)");
                }
                for (String role : rolesOn(server)) {
                    statement.execute("DROP ROLE IF EXISTS " + Identifiers.quote(role));
                }
            } catch (SQLException e) {
                // A server a test stopped has nothing left to clean.
                if (e.getSQLState() == null || !e.getSQLState().startsWith("08")) {
                    throw e;
                }
            }
        }
    }
}
