package io.tenantdb.provisioning.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the BUILT fat jar ({@code -Dexample.jar}) in a child process for the ITs: in the embedded mode, or with
 * {@code DATABASE_URL} and friends among the further environment variables.
 */
final class ExampleJar {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://localhost:\\d+)");

    private ExampleJar() {
    }

    static ProcessBuilder javaJar(Path dataDirectory) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-jar", System.getProperty("example.jar"));
        Map<String, String> environment = builder.environment();
        Configuration.VARIABLES.forEach(environment::remove);
        environment.put("PROVISIONING_DATA_DIR", dataDirectory.toString());
        environment.put("PORT", "0");
        return builder;
    }

    static Process start(Path dataDirectory, Path log) throws IOException {
        return start(dataDirectory, log, Map.of());
    }

    /** Starts the jar with further environment variables. */
    static Process start(Path dataDirectory, Path log, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = javaJar(dataDirectory).redirectError(log.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** The application's base URL and the banner it printed. */
    record Started(URI base, String banner) {
    }

    // Reads the banner from stdout; the bound only keeps a broken start from hanging the build.
    static Started awaitStarted(Process process) throws Exception {
        CompletableFuture<Started> started = CompletableFuture.supplyAsync(() -> {
            StringBuilder banner = new StringBuilder();
            try {
                BufferedReader reader = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                URI base = null;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    banner.append(line).append('\n');
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        base = URI.create(matcher.group(1) + "/");
                    }
                    // The embedded banner ends with a curl to try, the external one with its mode line.
                    if (base != null && (line.contains("try:") || line.contains("mode:    external"))) {
                        return new Started(base, banner.toString());
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("the application exited before it was ready:\n" + banner);
        });
        return started.get(180, TimeUnit.SECONDS);
    }

    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
