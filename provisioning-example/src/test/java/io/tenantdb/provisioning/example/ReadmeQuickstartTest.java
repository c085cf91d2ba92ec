package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's embedding quickstart, exactly as written: extracted from README.md, compiled with the JDK's
 * compiler against the core alone (and the JDBC driver), and run against the test PostgreSQL.
 */
class ReadmeQuickstartTest {

    private static final Path README = Path.of("../README.md");
    private static final Pattern SNIPPET = Pattern.compile(
            "## Embedding quickstart.*?```java\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path temp;

    @Test
    void theQuickstartCompilesAsWrittenAndProvisionsAnActiveTenant() throws Exception {
        Matcher matcher = SNIPPET.matcher(Files.readString(README, StandardCharsets.UTF_8));
        assertThat(matcher.find()).as("a java block under ## Embedding quickstart").isTrue();
        String source = matcher.group(1);
        Path sources = Files.createDirectories(temp.resolve("src"));
        Path classes = Files.createDirectories(temp.resolve("classes"));
        Path file = Files.writeString(sources.resolve("Tenants.java"), source);

        compile(file, classes, coreAndDriverOnly());

        TestPostgres postgres = TestPostgres.get();
        String control = postgres.createDatabase("readme_");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            Method createAcme = loader.loadClass("Tenants").getMethod("createAcme", DataSource.class, String.class,
                    int.class, String.class);

            Tenant tenant = (Tenant) createAcme.invoke(null, postgres.dataSource(control), postgres.host(),
                    postgres.port(), ExampleTesting.newKey());

            assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
            assertThat(tenant.name()).isEqualTo("Acme Corp");
            assertThat(ExampleTesting.tenantDatabases(postgres)).contains(tenant.databaseName());
        } finally {
            ExampleTesting.dropAll(postgres, control);
        }
    }

    /** The test class path without the servlet module, Jetty and the rest: the README promises core is enough. */
    private static String coreAndDriverOnly() {
        return String.join(java.io.File.pathSeparator, List.of(System.getProperty("java.class.path")
                .split(java.io.File.pathSeparator)).stream()
                .filter(entry -> entry.contains("provisioning-core") || entry.contains("postgresql"))
                .filter(entry -> !entry.contains("tests") && !entry.contains("test-classes"))
                .toList());
    }

    private static void compile(Path file, Path classes, String classPath) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertThat(compiler).as("a JDK, not a JRE").isNotNull();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files =
                compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean compiled = compiler.getTask(null, files, diagnostics,
                    List.of("--release", "17", "-Xlint:all", "-Werror", "-classpath", classPath,
                            "-d", classes.toString()),
                    null, files.getJavaFileObjects(file)).call();
            assertThat(compiled).as("README snippet compiles: " + diagnostics.getDiagnostics()).isTrue();
        }
    }
}
