package io.tenantdb.provisioning.postgres;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a test's child JVM on this class path and kills it with SIGKILL once it prints a given line. */
final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Starts {@code main} with {@code arguments} and {@code environment}, reads its output until {@code line}, then
     * kills it and waits for it to end.
     *
     * @throws AssertionError when the child ends without printing the line
     */
    static void killWhenItPrints(Class<?> main, List<String> arguments, Map<String, String> environment, String line)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process child = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            List<String> seen = new ArrayList<>();
            for (String read = out.readLine(); read != null; read = out.readLine()) {
                seen.add(read);
                if (read.equals(line)) {
                    child.destroyForcibly();
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    return;
                }
            }
            throw new AssertionError("child ended without printing " + line + ": " + seen);
        } finally {
            child.destroyForcibly();
        }
    }
}
