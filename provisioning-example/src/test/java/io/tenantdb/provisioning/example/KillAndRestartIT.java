package io.tenantdb.provisioning.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the BUILT jar with SIGKILL while provisionings are in flight, at several moments, and restarts it on the
 * same data directory: once the reconciler has run, every tenant database and role belongs to an active tenant,
 * every active tenant has its database and role, and every tenant answered with 201 is active.
 */
class KillAndRestartIT {

    // Short bounds so a killed provisioning's lease expires within seconds and the reconciler runs every second.
    private static final Map<String, String> QUICK_RECOVERY = Map.of(
            "DB_CONNECT_TIMEOUT_SECONDS", "1", "DB_STATEMENT_TIMEOUT_SECONDS", "2",
            "PROVISIONING_LEASE_SECONDS", "5", "RECONCILE_INTERVAL_SECONDS", "1");
    private static final int IN_FLIGHT = 6;

    @TempDir
    Path temp;

    @Test
    void killingTheExampleAtAnyMomentLeavesNothingThatDoesNotBelongAfterARestart() throws Exception {
        Path data = temp.resolve("data");
        Set<String> answered201 = new TreeSet<>();
        int killed = 0;
        for (long delayMillis : new long[] {50, 250, 600, 1200}) {
            Process process = ExampleJar.start(data, temp.resolve("run" + killed + ".log"), QUICK_RECOVERY);
            ExampleJar.Started started = ExampleJar.awaitStarted(process);
            String token = Files.readString(data.resolve(DataDirectory.ADMIN_TOKEN_FILE)).strip();
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT; i++) {
                HttpRequest request = HttpRequest.newBuilder(started.base().resolve("api/v1/tenants"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"name\": \"kill " + killed + "-" + i + "\", \"environment\": \"production\"}"))
                        .build();
                inFlight.add(ExampleTesting.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(delayMillis);
            process.destroyForcibly();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            killed++;
            for (CompletableFuture<HttpResponse<String>> response : inFlight) {
                try {
                    HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
                    if (answer.statusCode() == 201) {
                        answered201.add(ExampleTesting.tenantId(answer));
                    }
                } catch (Exception connectionDied) {
                    // No answer: the client cannot know, and the tenant must be either fully there or fully gone.
                }
            }
        }

        Process last = ExampleJar.start(data, temp.resolve("final.log"), QUICK_RECOVERY);
        try {
            ExampleJar.awaitStarted(last);
            try (Connection admin = admin(data)) {
                awaitNoProvisioningLeft(admin);
                Set<String> activeDatabases = strings(admin, "SELECT d.database_name FROM control_plane.tenants t"
                        + " JOIN control_plane.tenant_databases d ON d.tenant_id = t.id WHERE t.status = 'active'");
                assertThat(strings(admin, "SELECT datname FROM pg_database WHERE datname LIKE 'car\\_%'"))
                        .isEqualTo(activeDatabases);
                assertThat(strings(admin, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'car\\_%'"))
                        .isEqualTo(activeDatabases);
                assertThat(strings(admin, "SELECT id::text FROM control_plane.tenants WHERE status = 'active'"))
                        .containsAll(answered201);
                assertThat(strings(admin, "SELECT status FROM control_plane.tenants")).isSubsetOf("active");
                System.out.println("kill-and-restart: " + killed + " SIGKILLs with " + IN_FLIGHT
                        + " requests in flight each; " + answered201.size() + " answered 201; "
                        + activeDatabases.size() + " active tenants after reconciling; 0 orphans");
            }
        } finally {
            ExampleJar.stop(last);
        }
    }

    private static Connection admin(Path data) throws Exception {
        int port = Integer.parseInt(Files.readString(data.resolve(DataDirectory.POSTGRES_PORT_FILE)).strip());
        String password = Files.readString(data.resolve(DataDirectory.POSTGRES_PASSWORD_FILE)).strip();
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", password);
    }

    /** Waits for the running instance's reconciler to roll back every provisioning its predecessors left. */
    private static void awaitNoProvisioningLeft(Connection admin) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (strings(admin, "SELECT id FROM control_plane.tenants WHERE status = 'provisioning'").isEmpty()) {
                // One more interval, so a pass that started before the last row vanished has finished its drops.
                Thread.sleep(2_000);
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("provisioning rows were not reconciled");
    }

    private static Set<String> strings(Connection connection, String sql) throws SQLException {
        Set<String> values = new TreeSet<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
