package io.tenantdb.provisioning.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the BUILT jar with SIGKILL while provisionings are in flight, at several moments, and restarts it on the
 * same data directory: once the reconciler has run, every tenant database and role belongs to an active tenant,
 * every active tenant has its database and role, and every tenant answered with 201 is active. Each round keeps
 * requests in flight until at least one was answered, so every kill has both answered and unanswered requests.
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
        List<Integer> unansweredAtKill = new ArrayList<>();
        int killed = 0;
        // Each round keeps IN_FLIGHT requests running until one has been answered, then kills this long after.
        for (long delayMillis : new long[] {0, 50, 250, 600}) {
            Process process = ExampleJar.start(data, temp.resolve("run" + killed + ".log"), QUICK_RECOVERY);
            ExampleJar.Started started = ExampleJar.awaitStarted(process);
            String token = Files.readString(data.resolve(DataDirectory.ADMIN_TOKEN_FILE)).strip();
            Load load = new Load(started.base().resolve("api/v1/tenants"), token, killed);
            for (int i = 0; i < IN_FLIGHT; i++) {
                load.fire();
            }
            assertThat(load.firstAnswer.await(120, TimeUnit.SECONDS))
                    .as("round %d answered a request", killed).isTrue();
            Thread.sleep(delayMillis);
            load.stop();
            process.destroyForcibly();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            int unanswered = 0;
            for (CompletableFuture<HttpResponse<String>> response : load.sent()) {
                try {
                    HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
                    answered201.add(ExampleTesting.tenantId(answer));
                } catch (ExecutionException noAnswer) {
                    // The connection died with the process: the client cannot know, and the tenant must be either
                    // fully there or fully gone.
                    assertThat(noAnswer.getCause()).isInstanceOf(IOException.class);
                    unanswered++;
                }
            }
            assertThat(unanswered).as("requests in flight at kill %d", killed).isPositive();
            unansweredAtKill.add(unanswered);
            killed++;
        }
        assertThat(answered201).hasSizeGreaterThanOrEqualTo(killed);

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
                System.out.println("kill-and-restart: " + killed + " SIGKILLs, each with " + IN_FLIGHT
                        + " requests kept in flight until one was answered; unanswered at each kill "
                        + unansweredAtKill + "; " + answered201.size() + " answered 201; "
                        + activeDatabases.size() + " active tenants after reconciling; 0 orphans");
            }
        } finally {
            ExampleJar.stop(last);
        }
    }

    /** POSTs that replace themselves as they finish, so requests stay in flight until {@link #stop()}. */
    private static final class Load {
        private final URI tenants;
        private final String token;
        private final int round;
        private final AtomicBoolean firing = new AtomicBoolean(true);
        private final AtomicInteger names = new AtomicInteger();
        private final List<CompletableFuture<HttpResponse<String>>> sent = new CopyOnWriteArrayList<>();
        final CountDownLatch firstAnswer = new CountDownLatch(1);

        Load(URI tenants, String token, int round) {
            this.tenants = tenants;
            this.token = token;
            this.round = round;
        }

        void fire() {
            if (!firing.get()) {
                return;
            }
            HttpRequest request = HttpRequest.newBuilder(tenants)
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\": \"kill " + round + "-" + names.incrementAndGet()
                                    + "\", \"environment\": \"production\"}"))
                    .build();
            CompletableFuture<HttpResponse<String>> response =
                    ExampleTesting.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
            sent.add(response);
            response.whenComplete((answer, failure) -> {
                if (answer != null) {
                    firstAnswer.countDown();
                }
                fire();
            });
        }

        void stop() {
            firing.set(false);
        }

        List<CompletableFuture<HttpResponse<String>>> sent() {
            return List.copyOf(sent);
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
