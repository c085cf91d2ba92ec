package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.TenantConnections;
import io.tenantdb.provisioning.crypto.AesGcmCipherService;
import io.tenantdb.provisioning.crypto.EncryptionKey;
import io.tenantdb.provisioning.postgres.JdbcConnectionVerifier;
import io.tenantdb.provisioning.postgres.JdbcTenantStore;
import io.tenantdb.provisioning.postgres.OwnershipMark;
import io.tenantdb.provisioning.postgres.TenantConnector;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two control planes of the BUILT jar share one PostgreSQL cluster and the default {@code car_} prefix, both
 * reconciling every second, while they provision and delete and one of them is SIGKILLed and restarted again and
 * again; later a second instance of that control plane runs beside the one that keeps being killed. The lease is
 * ten minutes, so only the instances' liveness locks can explain a recovery within the bounded wait.
 */
class SharedClusterIT {

    private static final Map<String, String> TIMINGS = Map.of(
            "RECONCILE_INTERVAL_SECONDS", "1", "PROVISIONING_LEASE_SECONDS", "600");
    // From the POSTs being sent to the SIGKILL: before, during and after the reservations, creates and verifies.
    private static final long[] KILL_DELAYS_MILLIS = {0, 20, 40, 60, 90, 120, 150, 190, 230, 280, 340, 400};
    private static final long[] SURVIVOR_KILL_DELAYS_MILLIS = {80, 200, 350};
    private static final int POSTS_PER_KILL = 5;
    private static final int DELETES_PER_KILL = 2;
    private static final int SURVIVOR_POSTS = 6;
    // A bound that keeps a broken recovery from hanging the build, not a timing assertion.
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(30);
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(90);

    private final TestPostgres postgres = TestPostgres.get();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final ExecutorService background = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "shared-cluster-it");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean loadRunning = new AtomicBoolean();
    private ControlPlane a;
    private ControlPlane b;

    @TempDir
    Path temp;

    @Test
    void twoControlPlanesOnOneClusterLoseNoTenantAndAKilledInstanceRecoversWithoutWaitingForItsLease()
            throws Exception {
        a = new ControlPlane("a");
        b = new ControlPlane("b");
        Instance onlyB = b.start("b");
        Instance victim = a.start("a-0");
        assertThat(a.id).isNotEqualTo(b.id);

        // Control plane B provisions and deletes the whole time, on two connections, and is never killed.
        loadRunning.set(true);
        List<String> unexpectedOnB = new CopyOnWriteArrayList<>();
        List<Future<?>> load = List.of(
                background.submit(() -> loadB(onlyB, 0, unexpectedOnB)),
                background.submit(() -> loadB(onlyB, 1, unexpectedOnB)));

        // 1 and 3: A alone, killed with POSTs and DELETEs in flight, restarted, measured until nothing is stray.
        List<Recovery> recoveries = new ArrayList<>();
        for (int kill = 0; kill < KILL_DELAYS_MILLIS.length; kill++) {
            // A fresh JVM answers its first request slowly; one provisioning first, so the delays below land in
            // the reservations, creates and verifications rather than in class loading.
            a.provision(victim, "a warm " + kill);
            List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
            for (int i = 0; i < POSTS_PER_KILL; i++) {
                posts.add(postAsync(victim, "a kill " + kill + "-" + i));
            }
            Map<String, CompletableFuture<HttpResponse<String>>> deletes = new HashMap<>();
            for (String id : a.deletable(DELETES_PER_KILL)) {
                deletes.put(id, deleteAsync(victim, id));
            }
            Thread.sleep(KILL_DELAYS_MILLIS[kill]);
            long inFlight = posts.stream().filter(post -> !post.isDone()).count();
            kill(victim);
            a.record(posts, deletes);
            int strayAtKill = a.stray().size();

            long launched = System.nanoTime();
            Process restarted = a.launch("a-" + (kill + 1));
            Future<Long> clean = background.submit(() -> a.awaitNothingStray());
            victim = a.awaitStarted(restarted);
            long banner = System.nanoTime();
            long cleanAt = clean.get(RECOVERY_BOUND.toSeconds() + 10, TimeUnit.SECONDS);
            recoveries.add(new Recovery(KILL_DELAYS_MILLIS[kill], inFlight, strayAtKill,
                    (cleanAt - launched) / 1_000_000, (cleanAt - banner) / 1_000_000));
        }

        // 2: a second instance of A beside the one that keeps being killed. Its POSTs are in flight at each kill,
        // and more follow while its reconciler reclaims what the killed one left; every one of them must succeed.
        Instance survivor = a.start("a-survivor");
        int survivorAnswered = 0;
        long survivorInFlightAtKill = 0;
        int victimLeftovers = 0;
        for (int kill = 0; kill < SURVIVOR_KILL_DELAYS_MILLIS.length; kill++) {
            a.provision(victim, "a beside warm " + kill);
            List<CompletableFuture<HttpResponse<String>>> toSurvivor = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> toVictim = new ArrayList<>();
            for (int i = 0; i < SURVIVOR_POSTS; i++) {
                toSurvivor.add(postAsync(survivor, "a survivor " + kill + "-" + i));
                if (i % 2 == 0) {
                    toVictim.add(postAsync(victim, "a beside " + kill + "-" + i));
                }
            }
            Thread.sleep(SURVIVOR_KILL_DELAYS_MILLIS[kill]);
            survivorInFlightAtKill += toSurvivor.stream().filter(post -> !post.isDone()).count();
            kill(victim);
            List<String> strayAtKill = a.stray();
            for (int i = 0; i < SURVIVOR_POSTS / 2; i++) {
                toSurvivor.add(postAsync(survivor, "a survivor after " + kill + "-" + i));
            }
            a.record(toVictim, Map.of());
            Set<String> survivorTenants = new TreeSet<>();
            for (CompletableFuture<HttpResponse<String>> post : toSurvivor) {
                HttpResponse<String> answer = post.get(ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as("POST to the surviving instance: %s", answer.body()).isEqualTo(201);
                survivorTenants.add(ExampleTesting.tenantId(answer));
                survivorAnswered++;
            }
            a.created.addAll(survivorTenants);
            victimLeftovers += (int) strayAtKill.stream().filter(object -> survivorTenants.stream().noneMatch(
                    tenant -> object.contains(tenant) || object.contains(tenant.replace('-', '_')))).count();
            // Nobody restarted the killed instance: only the survivor can have cleaned up after it.
            a.awaitNothingStray();
            if (kill < SURVIVOR_KILL_DELAYS_MILLIS.length - 1) {
                victim = a.start("a-beside-" + kill);
            }
        }
        assertThat(survivorInFlightAtKill).as("survivor POSTs still in flight at the kills").isPositive();
        assertThat(victimLeftovers).as("objects and rows the killed instance left for the survivor").isPositive();

        loadRunning.set(false);
        for (Future<?> worker : load) {
            worker.get(ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(unexpectedOnB).as("answers of the control plane that was never killed").isEmpty();
        // The survivor reconciles the last victim's leftovers; B has nothing in flight any more.
        a.awaitNothingStray();
        b.awaitNothingStray();
        a.assertNoTenantLost();
        b.assertNoTenantLost();
        assertThat(b.created).as("B provisioned while A was being killed").isNotEmpty();
        ExampleJar.stop(survivor.process());
        ExampleJar.stop(onlyB.process());

        List<Long> fromLaunch = recoveries.stream().map(Recovery::fromLaunchMillis).sorted().toList();
        List<Long> fromBanner = recoveries.stream().map(Recovery::fromBannerMillis).sorted().toList();
        System.out.println("shared-cluster: " + recoveries.size() + " SIGKILLs of control plane A with "
                + POSTS_PER_KILL + " POSTs and up to " + DELETES_PER_KILL + " DELETEs in flight, lease 600 s;"
                + " nothing stray after restart in ms from launch / from banner (<= 0: already at the banner):"
                + " median " + median(fromLaunch) + " / " + median(fromBanner)
                + ", max " + fromLaunch.get(fromLaunch.size() - 1) + " / " + fromBanner.get(fromBanner.size() - 1)
                + "; per kill (delay ms, POSTs in flight, stray objects at kill, from launch, from banner) "
                + recoveries.stream().map(Recovery::toString).collect(Collectors.joining(" "))
                + "; A " + a.created.size() + " answered 201 (" + survivorAnswered + " by the surviving instance"
                + " with " + survivorInFlightAtKill + " in flight at " + SURVIVOR_KILL_DELAYS_MILLIS.length
                + " kills of the other, which left it " + victimLeftovers + " stray objects and rows to reclaim), "
                + a.deleted.size() + " deleted; B " + b.created.size() + " answered 201, " + b.deleted.size()
                + " deleted; no tenant lost");
    }

    @AfterEach
    void cleanUp() throws Exception {
        loadRunning.set(false);
        background.shutdownNow();
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(60, TimeUnit.SECONDS);
        }
        for (ControlPlane plane : new ControlPlane[] {a, b}) {
            if (plane != null) {
                plane.dropEverything();
            }
        }
    }

    /** One running instance of a control plane. */
    private record Instance(Process process, URI base, ControlPlane plane) {
    }

    /** What one SIGKILL left and how long after the restart nothing of it was stray. */
    private record Recovery(long delayMillis, long inFlight, int strayAtKill, long fromLaunchMillis,
                            long fromBannerMillis) {
        @Override
        public String toString() {
            return "(" + delayMillis + ", " + inFlight + ", " + strayAtKill + ", " + fromLaunchMillis + ", "
                    + fromBannerMillis + ")";
        }
    }

    private void loadB(Instance instance, int worker, List<String> unexpected) {
        int round = 0;
        while (loadRunning.get()) {
            try {
                HttpResponse<String> created = postAsync(instance, "b " + worker + "-" + round)
                        .get(ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS);
                if (created.statusCode() == 201) {
                    b.created.add(ExampleTesting.tenantId(created));
                } else {
                    unexpected.add("POST " + created.statusCode() + " " + created.body());
                }
                if (round % 3 == 2) {
                    for (String id : b.deletable(1)) {
                        HttpResponse<String> deleted = deleteAsync(instance, id)
                                .get(ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS);
                        if (deleted.statusCode() == 200) {
                            b.deleted.add(id);
                        } else {
                            unexpected.add("DELETE " + deleted.statusCode() + " " + deleted.body());
                        }
                    }
                }
                round++;
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                unexpected.add(e.toString());
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(Instance instance, String name) {
        return ExampleTesting.HTTP.sendAsync(HttpRequest.newBuilder(instance.base().resolve("api/v1/tenants"))
                .timeout(ANSWER_BOUND)
                .header("Authorization", "Bearer " + instance.plane().token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"" + name + "\", \"environment\": \"production\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> deleteAsync(Instance instance, String id) {
        return ExampleTesting.HTTP.sendAsync(HttpRequest.newBuilder(instance.base().resolve("api/v1/tenants/" + id))
                .timeout(ANSWER_BOUND)
                .header("Authorization", "Bearer " + instance.plane().token)
                .DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void kill(Instance instance) throws InterruptedException {
        instance.process().destroyForcibly();
        assertThat(instance.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private static String median(List<Long> sorted) {
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? Long.toString(sorted.get(middle))
                : Long.toString((sorted.get(middle - 1) + sorted.get(middle)) / 2);
    }

    /** One control plane: its own database, key and token, and what its clients were told. */
    private final class ControlPlane {
        final String label;
        final String database = postgres.createDatabase("shared_cp_");
        final String key = ExampleTesting.newKey();
        final String token = ExampleTesting.newToken();
        final Set<String> created = ConcurrentHashMap.newKeySet();
        final Set<String> deleteSent = ConcurrentHashMap.newKeySet();
        final Set<String> deleted = ConcurrentHashMap.newKeySet();
        private final AtomicInteger launches = new AtomicInteger();
        UUID id;

        ControlPlane(String label) {
            this.label = label;
        }

        Process launch(String name) throws Exception {
            Map<String, String> environment = new HashMap<>(ExampleTesting.environment(postgres, database, key, token));
            environment.putAll(TIMINGS);
            Path directory = temp.resolve(name + "-" + launches.incrementAndGet());
            Process process = ExampleJar.start(directory, temp.resolve(name + ".log"), environment);
            processes.add(process);
            return process;
        }

        Instance awaitStarted(Process process) throws Exception {
            Instance instance = new Instance(process, ExampleJar.awaitStarted(process).base(), this);
            if (id == null) {
                try (JdbcTenantStore store = new JdbcTenantStore(postgres.dataSource(database))) {
                    id = store.controlPlaneId();
                }
            }
            return instance;
        }

        Instance start(String name) throws Exception {
            return awaitStarted(launch(name));
        }

        /** Provisions one tenant on a live instance and files it. */
        void provision(Instance instance, String name) throws Exception {
            HttpResponse<String> answer = postAsync(instance, name).get(ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as("POST to a live instance of %s: %s", label, answer.body())
                    .isEqualTo(201);
            created.add(ExampleTesting.tenantId(answer));
        }

        /** Up to {@code count} tenants that answered 201 and were not yet sent a DELETE. */
        synchronized List<String> deletable(int count) {
            List<String> chosen = created.stream().filter(tenant -> !deleteSent.contains(tenant)).sorted()
                    .limit(count).toList();
            deleteSent.addAll(chosen);
            return chosen;
        }

        /** Files the answers of requests to an instance that was killed; a request without answer proves nothing. */
        void record(List<CompletableFuture<HttpResponse<String>>> posts,
                    Map<String, CompletableFuture<HttpResponse<String>>> deletes) throws Exception {
            for (CompletableFuture<HttpResponse<String>> post : posts) {
                answer(post).filter(response -> response.statusCode() == 201)
                        .ifPresent(response -> created.add(ExampleTesting.tenantId(response)));
            }
            for (Map.Entry<String, CompletableFuture<HttpResponse<String>>> delete : deletes.entrySet()) {
                answer(delete.getValue()).filter(response -> response.statusCode() == 200)
                        .ifPresent(response -> deleted.add(delete.getKey()));
            }
        }

        private Optional<HttpResponse<String>> answer(CompletableFuture<HttpResponse<String>> request)
                throws Exception {
            try {
                return Optional.of(request.get(ANSWER_BOUND.toSeconds(), TimeUnit.SECONDS));
            } catch (ExecutionException connectionDied) {
                return Optional.empty();
            }
        }

        /**
         * What is stray for this control plane: provisioning rows, and databases and roles carrying its mark (a
         * database without a comment: its owner's) that belong to no active or deleting tenant. One statement, so
         * rows and catalogs are read together.
         */
        List<String> stray() throws SQLException {
            String mark = "tenantdb:" + id + ":%";
            try (Connection connection = postgres.dataSource(database).getConnection();
                 PreparedStatement select = connection.prepareStatement("""
                         WITH live AS (
                             SELECT d.database_name AS name FROM control_plane.tenants t
                               JOIN control_plane.tenant_databases d ON d.tenant_id = t.id
                              WHERE t.status IN ('active', 'deleting')
                             UNION SELECT d.role_name FROM control_plane.tenants t
                               JOIN control_plane.tenant_databases d ON d.tenant_id = t.id
                              WHERE t.status IN ('active', 'deleting')),
                         marked AS (
                             SELECT 'database ' || db.datname AS object, db.datname AS name
                               FROM pg_database db JOIN pg_roles r ON r.oid = db.datdba
                              WHERE coalesce(shobj_description(db.oid, 'pg_database'),
                                             shobj_description(r.oid, 'pg_authid')) LIKE ?
                             UNION ALL SELECT 'role ' || r.rolname, r.rolname FROM pg_roles r
                              WHERE shobj_description(r.oid, 'pg_authid') LIKE ?)
                         SELECT object FROM marked m WHERE NOT EXISTS (SELECT FROM live l WHERE l.name = m.name)
                         UNION ALL SELECT 'provisioning row ' || id FROM control_plane.tenants
                          WHERE status = 'provisioning'
                         """)) {
                select.setString(1, mark);
                select.setString(2, mark);
                List<String> stray = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        stray.add(rs.getString(1));
                    }
                }
                return stray;
            }
        }

        /** Polls until nothing is stray; returns {@link System#nanoTime()} of the first clean look. */
        long awaitNothingStray() throws Exception {
            long deadline = System.nanoTime() + RECOVERY_BOUND.toNanos();
            List<String> stray;
            do {
                stray = stray();
                if (stray.isEmpty()) {
                    return System.nanoTime();
                }
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
            throw new AssertionError("control plane " + label + " still has stray objects after "
                    + RECOVERY_BOUND.toSeconds() + " s: " + stray);
        }

        /**
         * Every tenant that answered 201 and was not sent a DELETE is active, its database and role exist with this
         * control plane's mark, and its stored credentials decrypt and connect; every 200 to a DELETE left it
         * deleted with its database gone.
         */
        void assertNoTenantLost() throws Exception {
            Set<String> kept = new TreeSet<>(created);
            kept.removeAll(deleteSent);
            Map<String, String> status = new HashMap<>();
            Map<String, String> databaseOf = new HashMap<>();
            try (Connection connection = postgres.dataSource(database).getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT t.id, t.status, d.database_name, d.role_name"
                         + " FROM control_plane.tenants t"
                         + " LEFT JOIN control_plane.tenant_databases d ON d.tenant_id = t.id")) {
                while (rs.next()) {
                    status.put(rs.getString(1), rs.getString(2));
                    databaseOf.put(rs.getString(1), rs.getString(3));
                    assertThat(rs.getString(4)).isEqualTo(rs.getString(3));
                }
            }
            Map<String, String> databaseMarks = marks("SELECT db.datname, coalesce(shobj_description(db.oid,"
                    + " 'pg_database'), shobj_description(r.oid, 'pg_authid')) FROM pg_database db"
                    + " JOIN pg_roles r ON r.oid = db.datdba");
            Map<String, String> roleMarks = marks("SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles");

            Set<String> notActive = kept.stream().filter(tenant -> !"active".equals(status.get(tenant)))
                    .map(tenant -> tenant + "=" + status.get(tenant)).collect(Collectors.toCollection(TreeSet::new));
            assertThat(notActive).as("tenants of %s that answered 201 and are not active", label).isEmpty();
            Set<String> wrongObjects = new TreeSet<>();
            for (String tenant : kept) {
                String name = databaseOf.get(tenant);
                String mark = new OwnershipMark(id, UUID.fromString(tenant)).comment();
                if (name == null || !name.startsWith("car_") || !mark.equals(databaseMarks.get(name))
                        || !mark.equals(roleMarks.get(name))) {
                    wrongObjects.add(tenant + " -> " + name);
                }
            }
            assertThat(wrongObjects).as("active tenants of %s without their marked car_ database and role", label)
                    .isEmpty();
            try (JdbcTenantStore store = new JdbcTenantStore(postgres.dataSource(database))) {
                TenantConnections connections = new TenantConnections(store,
                        new AesGcmCipherService(EncryptionKey.fromBase64(key)));
                JdbcConnectionVerifier verifier = new JdbcConnectionVerifier(TenantConnector.withDefaults());
                for (String tenant : kept) {
                    assertThat(verifier.verify(connections.details(UUID.fromString(tenant))))
                            .as("tenant %s of %s connects with its stored credentials", tenant, label)
                            .startsWith("PostgreSQL");
                }
            }
            for (String tenant : deleted) {
                assertThat(status.get(tenant)).as("deleted tenant %s of %s", tenant, label).isEqualTo("deleted");
                assertThat(databaseMarks).doesNotContainKey(databaseOf.get(tenant));
            }
        }

        private Map<String, String> marks(String sql) throws SQLException {
            Map<String, String> marks = new HashMap<>();
            try (Connection connection = postgres.adminDataSource().getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(sql)) {
                while (rs.next()) {
                    marks.put(rs.getString(1), rs.getString(2));
                }
            }
            return Collections.unmodifiableMap(marks);
        }

        /** Drops every database and role carrying this control plane's mark, the recorded ones, then the database. */
        void dropEverything() throws SQLException {
            if (id != null) {
                String mark = "tenantdb:" + id + ":%";
                try (Connection connection = postgres.adminDataSource().getConnection()) {
                    List<String> databases = names(connection, "SELECT db.datname FROM pg_database db"
                            + " JOIN pg_roles r ON r.oid = db.datdba WHERE coalesce(shobj_description(db.oid,"
                            + " 'pg_database'), shobj_description(r.oid, 'pg_authid')) LIKE ?", mark);
                    List<String> roles = names(connection,
                            "SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE ?", mark);
                    try (Statement statement = connection.createStatement()) {
                        for (String name : databases) {
                            statement.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
                        }
                        for (String name : roles) {
                            statement.execute("DROP ROLE IF EXISTS \"" + name + "\"");
                        }
                    }
                }
            }
            ExampleTesting.dropAll(postgres, database);
        }

        private List<String> names(Connection connection, String sql, String parameter) throws SQLException {
            List<String> names = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, parameter);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
            }
            return names;
        }
    }
}
