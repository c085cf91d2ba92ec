package io.tenantdb.provisioning.bench;

import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.example.Main;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The resident-memory check: starts the example's {@code serve} ({@link Main}, from the bench's own jar, which
 * holds the example's classes) as a child process against the bench's database, sends it {@code count}
 * provisionings over HTTP from four workers, and reads the child's {@code VmRSS} and {@code VmHWM} from
 * {@code /proc/<pid>/status} (Linux only). The tenants are removed afterwards. The child's output goes to
 * {@code serve.log} in the output directory.
 */
final class MemoryCheck {

    private static final int WORKERS = 4;

    /**
     * @param provisions tenants provisioned through the child
     * @param rssKiB     its resident set afterwards
     * @param peakKiB    its resident high-water mark
     * @param jvmOptions the options it ran with
     */
    record Result(int provisions, long rssKiB, long peakKiB, List<String> jvmOptions) {
    }

    private MemoryCheck() {
    }

    static Result run(BenchTarget target, TenantCleaner cleaner, int count, List<String> jvmOptions, Path out,
                      PrintStream log) throws Exception {
        Path jar = runningJar();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(jar.toString());
        command.add(Main.class.getName());
        command.add("serve");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(out.resolve("serve.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.put("DATABASE_URL", databaseUrl(target));
        environment.put("ENCRYPTION_KEY", Base64.getEncoder().encodeToString(randomKey()));
        environment.put("ADMIN_TOKEN", target.token());
        environment.put("PORT", Integer.toString(port));
        environment.remove("PROVISIONING_DATA_DIR");
        List<Provisioned> created = Collections.synchronizedList(new ArrayList<>());
        Process child = builder.start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            awaitHealthy(client, port, child);
            URI endpoint = URI.create("http://127.0.0.1:" + port + "/api/v1/tenants");
            AtomicInteger remaining = new AtomicInteger(count);
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
            try {
                List<Future<Void>> workers = new ArrayList<>();
                for (int i = 0; i < WORKERS; i++) {
                    workers.add(pool.submit(() -> {
                        while (remaining.getAndDecrement() > 0) {
                            created.add(HttpWorkload.post(client, endpoint, target.token(),
                                    Workload.TENANT_NAME_PREFIX + "memory-" + UUID.randomUUID()));
                            if (created.size() % 100 == 0) {
                                log.printf("  memory check: %d of %d provisioned%n", created.size(), count);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<Void> worker : workers) {
                    worker.get();
                }
            } finally {
                pool.shutdownNow();
            }
            long rss = statusKiB(child.pid(), "VmRSS:");
            long peak = statusKiB(child.pid(), "VmHWM:");
            return new Result(created.size(), rss, peak, jvmOptions);
        } finally {
            child.destroy();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            log.printf("  memory check: removing %d tenants%n", created.size());
            cleaner.remove(created);
        }
    }

    private static Path runningJar() throws URISyntaxException {
        Path location = Path.of(MemoryCheck.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(location) || !location.toString().endsWith(".jar")) {
            throw new IllegalStateException("--memory-check needs the bench to run from provisioning-bench.jar");
        }
        return location;
    }

    // The child reaches the same server with the same admin role; the password is percent-encoded as libpq wants.
    private static String databaseUrl(BenchTarget target) {
        var admin = target.admin();
        return "postgresql://" + PostgresUrl.encode(admin.user().orElseThrow())
                + admin.password().map(p -> ":" + PostgresUrl.encode(p)).orElse("") + "@"
                + PostgresUrl.hostAndPort(admin.host(), admin.portOrDefault()) + "/"
                + PostgresUrl.encode(admin.databaseOrUser());
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static void awaitHealthy(HttpClient client, int port, Process child) throws Exception {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new IOException("the serve process exited with " + child.exitValue() + "; see serve.log");
            }
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException("the serve process did not become healthy within 120 s; see serve.log");
    }

    private static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
            }
        }
        throw new IOException(field + " not in /proc/" + pid + "/status");
    }
}
