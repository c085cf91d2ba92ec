package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.TestPostgres;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.tenantdb.provisioning.example.ExampleTesting.post;
import static io.tenantdb.provisioning.example.ExampleTesting.send;
import static io.tenantdb.provisioning.example.ExampleTesting.tenantId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deploys the BUILT WAR into real servlet containers, configured through context parameters (so the test
 * process environment stays untouched), and provisions a tenant through each on a real PostgreSQL.
 */
class WarDeploymentIT {

    private static TestPostgres postgres;
    private static String controlDatabase;
    private static Set<String> tenantDatabasesBefore;
    private static Map<String, String> parameters;
    private static String token;

    @TempDir
    Path temp;

    @BeforeAll
    static void createControlDatabase() throws Exception {
        postgres = TestPostgres.get();
        tenantDatabasesBefore = ExampleTesting.tenantDatabases(postgres);
        controlDatabase = postgres.createDatabase("example_war_");
        token = ExampleTesting.newToken();
        parameters = Map.of(
                "DATABASE_URL", ExampleTesting.databaseUrl(postgres, postgres.host(), postgres.port(), controlDatabase),
                "ENCRYPTION_KEY", ExampleTesting.newKey(),
                "ADMIN_TOKEN", token);
    }

    @AfterAll
    static void dropWhatItCreated() throws Exception {
        ExampleTesting.dropAll(postgres, controlDatabase);
        assertThat(ExampleTesting.tenantDatabases(postgres)).isEqualTo(tenantDatabasesBefore);
    }

    private static Path war() {
        Path war = Path.of(System.getProperty("example.war"));
        assertThat(war).exists();
        return war;
    }

    @Test
    void warProvisionsATenantInsideJetty() throws Exception {
        Server server = new Server(0);
        WebAppContext webapp = new WebAppContext();
        webapp.setWar(war().toString());
        webapp.setContextPath("/tenantdb");
        webapp.setTempDirectory(Files.createDirectory(temp.resolve("jetty")).toFile());
        webapp.setThrowUnavailableOnStartupException(true);
        parameters.forEach(webapp::setInitParameter);
        server.setHandler(webapp);
        server.start();
        try {
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            assertProvisions(URI.create("http://localhost:" + port + "/tenantdb/"), "War in Jetty");
        } finally {
            server.stop();
        }
    }

    @Test
    void warProvisionsATenantInsideTomcatAndUndeploysWithoutADriverLeakWarning() throws Exception {
        // Tomcat reports a JDBC driver a web application left registered through this logger at undeploy.
        java.util.logging.Logger leakChecks = java.util.logging.Logger.getLogger(
                "org.apache.catalina.loader.WebappClassLoaderBase");
        List<String> leakWarnings = new CopyOnWriteArrayList<>();
        java.util.logging.Handler collect = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                leakWarnings.add(String.valueOf(record.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        leakChecks.addHandler(collect);
        Path base = Files.createDirectory(temp.resolve("tomcat"));
        Files.createDirectory(base.resolve("webapps"));
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        Context context = tomcat.addWebapp("/tenantdb", war().toString());
        parameters.forEach(context::addParameter);
        tomcat.start();
        try {
            assertThat(context.getState()).isEqualTo(LifecycleState.STARTED);
            int port = tomcat.getConnector().getLocalPort();
            assertProvisions(URI.create("http://localhost:" + port + "/tenantdb/"), "War in Tomcat");
        } finally {
            tomcat.stop();
            tomcat.destroy();
            leakChecks.removeHandler(collect);
        }
        assertThat(leakWarnings).noneMatch(message -> message.contains("JDBC"));
    }

    @Test
    void warWithoutDatabaseUrlFailsItsDeployment() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("DATABASE_URL") == null
                && System.getProperty("DATABASE_URL") == null, "DATABASE_URL is set for this JVM");
        Server server = new Server(0);
        WebAppContext webapp = new WebAppContext();
        webapp.setWar(war().toString());
        webapp.setContextPath("/tenantdb");
        webapp.setTempDirectory(Files.createDirectory(temp.resolve("jetty-unconfigured")).toFile());
        server.setHandler(webapp);
        // slf4j-simple, this JVM's System.Logger back end, writes to whatever System.err is at the time.
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeOutputStream(original, captured), true, StandardCharsets.UTF_8));
        try {
            server.start();
        } finally {
            System.setErr(original);
        }
        try {
            assertThat(webapp.isAvailable()).isFalse();
            assertThat(webapp.getUnavailableException()).hasMessageContaining("DATABASE_URL is required");
            assertThat(captured.toString(StandardCharsets.UTF_8).lines())
                    .anyMatch(line -> line.endsWith(
                                    "configuration error: DATABASE_URL is required when deployed as a WAR")
                            && !line.contains("Exception"));
        } finally {
            server.stop();
        }
    }

    private static void assertProvisions(URI base, String name) throws Exception {
        assertThat(send("GET", base.resolve("healthz"), null, null, null).statusCode()).isEqualTo(200);
        assertThat(post(base, null, name, "production").statusCode()).isEqualTo(401);

        HttpResponse<String> created = post(base, token, name, "production");

        assertThat(created.statusCode()).isEqualTo(201);
        String id = tenantId(created);
        assertThat(created.headers().firstValue("Location")).contains("/tenantdb/api/v1/tenants/" + id);
        assertThat(ExampleTesting.tenantDatabases(postgres)).contains("car_" + id.replace('-', '_'));
        HttpResponse<String> fetched = send("GET", base.resolve("api/v1/tenants/" + id), token, null, null);
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo(created.body().replaceFirst("}$", ",\"schema_version\":null}"));
    }

    /** Writes everything to two streams. */
    private static final class TeeOutputStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeOutputStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
