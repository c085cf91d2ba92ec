package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.testing.DedicatedPostgres;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A highly available control plane: an embedded primary and a streaming standby made from it (an online base
 * backup taken with {@code pg_backup_start}/{@code pg_backup_stop} and a file copy, since the embedded binaries
 * hold no {@code pg_basebackup}), and a multi-host URL that lists the standby first and the primary second. With
 * {@code target_session_attrs=read-write} the control plane and provisioning work on the primary; without it the
 * same URL lands on the read-only standby; after the standby is promoted and the primary stopped, the same URL
 * provisions on the new primary.
 */
class MultiHostControlPlaneTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static DedicatedPostgres primary;
    private static Path standbyData;
    private static Path binaries;
    private static int standbyPort;

    @BeforeAll
    static void startPrimaryAndStandby() throws Exception {
        // The standby is started with the embedded binaries found through /proc: Linux only.
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to find the binaries");
        List<String> hba = new ArrayList<>(RealServers.SCRAM);
        hba.add("host replication postgres 127.0.0.1/32 trust");
        hba.add("host replication postgres ::1/128 trust");
        primary = DedicatedPostgres.start(Map.of("wal_level", "replica", "max_wal_senders", "4"), hba);
        DataSource admin = primary.server().adminDataSource();
        Path primaryData = Path.of(query(admin, "SHOW data_directory").get(0));
        // The embedded binaries are wherever the running postmaster's executable is.
        String postmaster = Files.readAllLines(primaryData.resolve("postmaster.pid")).get(0).strip();
        binaries = Path.of("/proc", postmaster, "exe").toRealPath().getParent();
        standbyData = Files.createTempDirectory("tenantdb-standby");
        standbyPort = freePort();
        query(admin, "SELECT pg_create_physical_replication_slot('standby', true)::text");
        try (Connection backup = admin.getConnection(); Statement statement = backup.createStatement()) {
            statement.execute("SELECT pg_backup_start('tenantdb-ha-test', true)");
            copyDataDirectory(primaryData, standbyData);
            try (var rs = statement.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
                rs.next();
                Files.writeString(standbyData.resolve("backup_label"), rs.getString(1));
            }
        }
        Files.writeString(standbyData.resolve("standby.signal"), "");
        Files.writeString(standbyData.resolve("postgresql.auto.conf"), String.join("\n",
                "primary_conninfo = 'host=localhost port=" + primary.server().port() + " user=postgres'",
                "primary_slot_name = 'standby'", ""));
        // A standby needs at least the primary's limits; the embedded primary raises max_connections.
        String limits = String.join(" ", query(admin, """
                SELECT '-c ' || name || '=' || setting FROM pg_settings
                 WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders',
                                'max_prepared_transactions', 'max_locks_per_transaction')"""));
        pgCtl("start", "-w", "-t", "60", "-l", standbyData.resolve("standby.log").toString(),
                "-o", "-p " + standbyPort + " -c unix_socket_directories= -c listen_addresses=localhost " + limits);
        assertThat(query(standby(), "SELECT pg_is_in_recovery()::text")).containsExactly("true");
    }

    @AfterAll
    static void stopBoth() throws Exception {
        if (standbyData == null) {
            if (primary != null) {
                primary.close();
            }
            return;
        }
        try {
            pgCtl("stop", "-m", "immediate", "-w");
        } finally {
            primary.close();
            try (Stream<Path> files = Files.walk(standbyData)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void aUrlListingTheStandbyFirstProvisionsOnThePrimaryAndAfterAFailoverOnTheNewOne() throws Exception {
        String control = "control_" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
        try (Connection connection = primary.server().adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + control);
        }
        String hosts = "localhost:" + standbyPort + ",localhost:" + primary.server().port();
        // pgjdbc remembers which host was the primary for hostRecheckSeconds (10 by default); 0 re-checks on every
        // connect, so the first connection after the failover already looks for the new primary.
        PostgresUrl readWrite = PostgresUrl.parse("postgresql://postgres:postgres@" + hosts + "/" + control
                + "?target_session_attrs=read-write&hostRecheckSeconds=0");
        PostgresUrl any = PostgresUrl.parse("postgresql://postgres:postgres@" + hosts + "/" + awaitReplicated(control));

        // Without a target the driver takes the first host, the standby, where the control plane cannot be made.
        assertThatThrownBy(() -> new JdbcTenantStore(dataSource(any)).migrate()).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));

        Tenant first = provision(readWrite, "before failover");
        assertThat(databasesOn(primary.server().adminDataSource(), first)).isTrue();

        pgCtlPromote();
        primary.close();

        Tenant second = provision(readWrite, "after failover");
        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(databasesOn(standby(), first)).as("replicated before the failover").isTrue();
        assertThat(databasesOn(standby(), second)).isTrue();
    }

    /** A fresh control plane instance on the URL, as a restarted application would have, provisioning one tenant. */
    private static Tenant provision(PostgresUrl url, String name) throws SQLException {
        DataSource controlPlane = dataSource(url);
        JdbcTenantStore store = new JdbcTenantStore(controlPlane, Duration.ofMinutes(1), "ha-test");
        try {
            store.migrate();
            byte[] key = new byte[EncryptionKey.LENGTH];
            RANDOM.nextBytes(key);
            // Tenants reach whichever server is the primary now, as a name that follows the primary would.
            int primaryPort = Integer.parseInt(query(controlPlane, "SELECT inet_server_port()::text").get(0));
            TenantProvisioner provisioner = TenantProvisioner.builder()
                    .databaseCreator(PostgresDatabaseCreator.builder(controlPlane, store.controlPlaneId())
                            .tenantEndpoint("localhost", primaryPort).build())
                    .connectionVerifier(new JdbcConnectionVerifier(TenantConnector.withDefaults()))
                    .cipherService(new AesGcmCipherService(EncryptionKey.of(key)))
                    .tenantStore(store)
                    .build();
            return provisioner.provision(new TenantRequest(name + " " + UUID.randomUUID(), Environment.PRODUCTION));
        } finally {
            store.close();
        }
    }

    private static DataSource dataSource(PostgresUrl url) {
        TenantConnector connector = TenantConnector.withDefaults();
        return new FixedCredentialsDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return connector.open(url);
            }
        };
    }

    private static String awaitReplicated(String database) throws Exception {
        for (int attempt = 0; attempt < 600; attempt++) {
            if (!query(standby(), "SELECT datname FROM pg_database WHERE datname = '"
                    + database + "'").isEmpty()) {
                return database;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the standby did not replay the new database");
    }

    private static boolean databasesOn(DataSource server, Tenant tenant) throws SQLException {
        return !query(server, "SELECT datname FROM pg_database WHERE datname = '"
                + tenant.databaseName() + "'").isEmpty();
    }

    private static DataSource standby() {
        return TestPostgres.dataSource("localhost", standbyPort, "postgres", "postgres", "postgres");
    }

    private static List<String> query(DataSource dataSource, String sql) throws SQLException {
        return Sql.strings(dataSource, sql);
    }

    private static void pgCtlPromote() throws Exception {
        pgCtl("promote", "-w", "-t", "60");
    }

    /** Runs the embedded binaries' pg_ctl on the standby; as root in a user namespace, as the embedded server does. */
    private static void pgCtl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(binaries.resolve("pg_ctl").toString());
        command.add(arguments[0]);
        command.addAll(List.of("-D", standbyData.toString()));
        command.addAll(List.of(arguments).subList(1, arguments.length));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(standbyData.getParent().resolve(standbyData.getFileName() + ".pg_ctl.log").toFile())
                .start();
        int exit = process.waitFor();
        assertThat(exit).as("pg_ctl " + arguments[0]).isZero();
    }

    private static void copyDataDirectory(Path from, Path to) throws IOException {
        Set<String> skipped = Set.of("postmaster.pid", "postmaster.opts", "backup_label", "tablespace_map");
        Set<String> emptied = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem", "pg_notify",
                "pg_serial", "pg_snapshots", "pg_subtrans");
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                Files.createDirectories(target);
                Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(dir));
                boolean empty = dir.getParent() != null && dir.getParent().equals(from)
                        && emptied.contains(dir.getFileName().toString());
                if (empty && dir.getFileName().toString().equals("pg_wal")) {
                    Files.createDirectories(target.resolve("archive_status"));
                }
                return empty ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!(file.getParent().equals(from) && skipped.contains(file.getFileName().toString()))) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()),
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // A file the running server removed meanwhile (a temporary one) is not part of the backup.
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
