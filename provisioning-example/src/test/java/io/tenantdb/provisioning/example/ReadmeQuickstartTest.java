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
import java.util.UUID;
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
    private static final Pattern POOL_SNIPPET = Pattern.compile(
            "### Connections to tenant databases.*?```java\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path temp;

    @Test
    void theQuickstartCompilesAsWrittenAndProvisionsAnActiveTenantThenReachesItsDatabase() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(temp.resolve("classes"));
        compile(snippet(readme, SNIPPET, "Tenants"), classes, classPath("provisioning-core", "postgresql"));
        compile(snippet(readme, POOL_SNIPPET, "TenantQueries"), classes,
                classPath("provisioning-core", "postgresql", "provisioning-pool", "HikariCP"));

        TestPostgres postgres = TestPostgres.get();
        String control = postgres.createDatabase("readme_");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            Method createAcme = loader.loadClass("Tenants").getMethod("createAcme", DataSource.class, String.class,
                    int.class, String.class);

            Method databaseOf = loader.loadClass("TenantQueries").getMethod("databaseOf", DataSource.class,
                    String.class, UUID.class);
            String key = ExampleTesting.newKey();

            Tenant tenant = (Tenant) createAcme.invoke(null, postgres.dataSource(control), postgres.host(),
                    postgres.port(), key);

            assertThat(tenant.status()).isEqualTo(TenantStatus.ACTIVE);
            assertThat(tenant.name()).isEqualTo("Acme Corp");
            assertThat(ExampleTesting.tenantDatabases(postgres)).contains(tenant.databaseName());
            assertThat(databaseOf.invoke(null, postgres.dataSource(control), key, tenant.id()))
                    .isEqualTo(tenant.databaseName());
        } finally {
            ExampleTesting.dropAll(postgres, control);
        }
    }

    private Path snippet(String readme, Pattern block, String className) throws Exception {
        Matcher matcher = block.matcher(readme);
        assertThat(matcher.find()).as("the README's java block of " + className).isTrue();
        Path sources = Files.createDirectories(temp.resolve("src"));
        return Files.writeString(sources.resolve(className + ".java"), matcher.group(1));
    }

    /**
     * The test class path narrowed to the named artifacts, without the servlet module, Jetty and the rest: the
     * README promises they are enough.
     */
    private static String classPath(String... artifacts) {
        return String.join(java.io.File.pathSeparator, List.of(System.getProperty("java.class.path")
                .split(java.io.File.pathSeparator)).stream()
                .filter(entry -> List.of(artifacts).stream().anyMatch(entry::contains))
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
