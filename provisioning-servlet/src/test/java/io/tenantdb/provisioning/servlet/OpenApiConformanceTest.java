package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerRegistration;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantSchemas;
import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.WarmPool;
import io.tenantdb.provisioning.spi.SchemaVersionStore;
import io.tenantdb.provisioning.spi.ServerDirectory;
import io.tenantdb.provisioning.spi.ServerStore;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.testing.InMemoryIdempotencyStore;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import io.tenantdb.provisioning.testing.InMemoryServerDirectory;
import io.tenantdb.provisioning.testing.InMemoryServerStore;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Holds {@code docs/openapi.yaml} and the servlets to each other, over real sockets: the real
 * {@link TenantServlet}, {@link BearerTokenFilter} and {@link HealthServlet} in a Jetty 12 on an ephemeral port,
 * backed by the in-memory fakes.
 *
 * <ul>
 *   <li>Every documented (path, method, status, problem type) has a scenario below that produces it; the response
 *       is checked against the documented media type, schema and required headers.</li>
 *   <li>Every scenario below is documented, so a status produced and tested but not documented fails.</li>
 *   <li>The handler's route table equals the documented {@code /api/v1} paths and methods, and a probe of every
 *       common method on every documented path gets {@code 405} with the documented {@code Allow} exactly when the
 *       method is undocumented.</li>
 *   <li>The documented problem types are exactly {@link ProblemType}'s.</li>
 * </ul>
 */
class OpenApiConformanceTest {

    private static final Path SPEC = Path.of("../docs/openapi.yaml");
    private static final String TOKEN = "conformance-token-0123456789";
    private static final String ACME = "{\"name\":\"Acme\",\"environment\":\"production\"}";
    private static final String SECOND = "{\"name\":\"second\",\"admin_url\":"
            + "\"postgresql://admin:secret@db2.internal:5432/postgres\",\"max_tenants\":100,\"weight\":2}";
    private static final String PROBLEM_BASE = "https://tenantdb.io/problems/";
    private static final String MOUNT = "/api/v1";
    /** The methods probed on every path; TRACE and CONNECT are the container's business. */
    private static final List<String> PROBED_METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
            "OPTIONS");
    private static final Set<String> OPENAPI_METHODS = Set.of("get", "head", "post", "put", "patch", "delete",
            "options", "trace");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The state behind the server for one scenario; replaced before each. */
    private static final AtomicReference<World> WORLD = new AtomicReference<>();

    private static JsonNode spec;
    private static LocalJetty server;
    private static URI base;

    @BeforeAll
    static void startJettyAndReadTheSpec() throws Exception {
        spec = YAML.readTree(Files.readString(SPEC, StandardCharsets.UTF_8));
        WORLD.set(new World(true));
        // One server for all scenarios: the provisioner, registry and health check it sees follow WORLD.
        TenantProvisioner current = follow(TenantProvisioner.class, world -> world.provisioner);
        SchemaVersionStore versions = follow(SchemaVersionStore.class, world -> world.fakes.store);
        TenantSchemas schemas = new TenantSchemas(versions, () -> Optional.of("2"));
        WarmPool pool = (WarmPool) Proxy.newProxyInstance(OpenApiConformanceTest.class.getClassLoader(),
                new Class<?>[]{WarmPool.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("status")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Object answer = WORLD.get().warmPool.get();
                    if (answer instanceof Exception failure) {
                        throw failure;
                    }
                    return answer;
                });
        ServerRegistry registry = new ServerRegistry(follow(ServerStore.class, world -> world.servers),
                follow(ServerDirectory.class, world -> world.directory),
                follow(CipherService.class, world -> world.fakes.cipher));
        server = LocalJetty.start(context -> {
            context.addServlet(new ServletHolder(TenantServlet.builder(current).schemas(schemas).warmPool(pool)
                    .servers(registry).build()), MOUNT + "/*");
            context.addFilter(new FilterHolder(new BearerTokenFilter(TOKEN)), MOUNT + "/*",
                    EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new HealthServlet(() -> WORLD.get().controlPlaneUp.get())),
                    "/healthz");
        });
        base = server.base();
    }

    @AfterAll
    static void stopJetty() throws Exception {
        server.close();
    }

    /** An implementation of {@code type} that hands every call to what {@code target} picks of the current world. */
    private static <T> T follow(Class<T> type, Function<World, Object> target) {
        return type.cast(Proxy.newProxyInstance(OpenApiConformanceTest.class.getClassLoader(), new Class<?>[]{type},
                (proxy, method, args) -> {
                    try {
                        return method.invoke(target.apply(WORLD.get()), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }

    // ---- the scenarios: one request per documented (method, path, status[, problem type])

    /** Builds the request of a scenario after arranging its world; the builder gets no token unless it adds one. */
    @FunctionalInterface
    private interface Scenario {
        HttpRequest.Builder arrange(World world) throws Exception;
    }

    private static Map<String, Scenario> scenarios() {
        Map<String, Scenario> s = new LinkedHashMap<>();
        String tenants = MOUNT + "/tenants";

        s.put("GET /healthz 200", w -> request("GET", "/healthz"));
        s.put("GET /healthz 503", w -> {
            w.controlPlaneUp.set(false);
            return request("GET", "/healthz");
        });
        s.put("HEAD /healthz 200", w -> request("HEAD", "/healthz"));
        s.put("HEAD /healthz 503", w -> {
            w.controlPlaneUp.set(false);
            return request("HEAD", "/healthz");
        });

        s.put("GET /api/v1/openapi.yaml 200", w -> authorized("GET", MOUNT + "/openapi.yaml"));
        s.put("GET /api/v1/openapi.yaml 401 unauthorized", w -> request("GET", MOUNT + "/openapi.yaml"));

        s.put("GET /api/v1/tenants 200", w -> {
            w.provision("Acme");
            w.provision("Globex");
            w.provision("Initech");
            return authorized("GET", tenants + "?limit=2&environment=production");
        });
        s.put("GET /api/v1/tenants 400 malformed-request", w -> authorized("GET", tenants + "?environment=%C3%28"));
        s.put("GET /api/v1/tenants 401 unauthorized", w -> request("GET", tenants));
        s.put("GET /api/v1/tenants 422 validation-failed", w -> authorized("GET", tenants + "?limit=101"));
        s.put("GET /api/v1/tenants 500 internal-error", w -> {
            w.fakes.store.faults().arm("list", new SQLException("broken", "XX000"));
            return authorized("GET", tenants);
        });
        s.put("GET /api/v1/tenants 503 service-unavailable", w -> {
            w.fakes.store.faults().arm("list", new SQLTransientConnectionException("refused", "08001"));
            return authorized("GET", tenants);
        });

        s.put("POST /api/v1/tenants 201", w -> post(ACME));
        s.put("POST /api/v1/tenants 400 malformed-request", w -> post("{\"name\":"));
        s.put("POST /api/v1/tenants 401 unauthorized", w -> request("POST", tenants)
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString(ACME)));
        s.put("POST /api/v1/tenants 409 duplicate-tenant", w -> {
            w.provision("ACME");
            return post(ACME);
        });
        s.put("POST /api/v1/tenants 409 request-in-progress", w -> {
            // The first request with this key is still running, held in its verify step until the hold times out.
            w.verifier.hold();
            CompletableFuture.runAsync(() -> w.provisioner.provision(new TenantRequest("Acme", Environment.PRODUCTION),
                    "key-1"));
            w.verifier.awaitHeld();
            return post(ACME).header("Idempotency-Key", "key-1");
        });
        s.put("POST /api/v1/tenants 413 payload-too-large", w -> {
            byte[] big = " ".repeat(RequestBody.MAX_BYTES + 1).getBytes(StandardCharsets.UTF_8);
            // Chunked, so the handler reads the whole body before refusing it: refused unread (a declared length
            // over the cap), the server closes with bytes in flight and the client may see a reset, not the 413.
            return authorized("POST", MOUNT + "/tenants").header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)));
        });
        s.put("POST /api/v1/tenants 415 unsupported-media-type", w -> authorized("POST", tenants)
                .header("Content-Type", "text/plain").POST(BodyPublishers.ofString(ACME)));
        s.put("POST /api/v1/tenants 422 validation-failed", w -> post("{\"name\":\" \",\"environment\":\"prod\"}"));
        s.put("POST /api/v1/tenants 422 idempotency-key-reused", w -> {
            w.provisioner.provision(new TenantRequest("Other", Environment.PRODUCTION), "key-1");
            return post(ACME).header("Idempotency-Key", "key-1");
        });
        s.put("POST /api/v1/tenants 422 idempotency-not-supported", w -> {
            WORLD.set(new World(false));
            return post(ACME).header("Idempotency-Key", "key-1");
        });
        s.put("POST /api/v1/tenants 500 internal-error", w -> {
            w.fakes.creator.faults().arm("create-database", new SQLException("syntax", "42601"));
            return post(ACME);
        });
        s.put("POST /api/v1/tenants 503 service-unavailable", w -> {
            w.fakes.store.faults().arm("reserve", new SQLTransientConnectionException("refused", "08001"));
            return post(ACME);
        });
        s.put("POST /api/v1/tenants 503 no-capacity", w -> {
            World placing = new World(true, true);
            WORLD.set(placing);
            placing.servers.change("default", new ServerChange(Optional.empty(), Optional.empty(),
                    Optional.of(OptionalInt.of(0))));
            return post(ACME);
        });

        String servers = MOUNT + "/servers";
        s.put("GET /api/v1/servers 200", w -> {
            w.register("second");
            return authorized("GET", servers);
        });
        s.put("GET /api/v1/servers 401 unauthorized", w -> request("GET", servers));
        s.put("GET /api/v1/servers 500 internal-error", w -> {
            w.servers.faults().arm("servers", new SQLException("broken", "XX000"));
            return authorized("GET", servers);
        });
        s.put("GET /api/v1/servers 503 service-unavailable", w -> {
            w.servers.faults().arm("servers", new SQLTransientConnectionException("refused", "08001"));
            return authorized("GET", servers);
        });
        s.put("POST /api/v1/servers 201", w -> json("POST", servers, SECOND));
        s.put("POST /api/v1/servers 400 malformed-request", w -> json("POST", servers, "[1]"));
        s.put("POST /api/v1/servers 401 unauthorized", w -> request("POST", servers)
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString(SECOND)));
        s.put("POST /api/v1/servers 409 duplicate-server", w -> {
            w.register("second");
            return json("POST", servers, SECOND);
        });
        s.put("POST /api/v1/servers 413 payload-too-large", w -> authorized("POST", servers)
                .header("Content-Type", "application/json").POST(BodyPublishers.ofInputStream(() ->
                        new java.io.ByteArrayInputStream(new byte[RequestBody.MAX_BYTES + 1]))));
        s.put("POST /api/v1/servers 415 unsupported-media-type", w -> authorized("POST", servers)
                .header("Content-Type", "text/plain").POST(BodyPublishers.ofString(SECOND)));
        s.put("POST /api/v1/servers 422 validation-failed",
                w -> json("POST", servers, "{\"name\":\"Bad Name\",\"admin_url\":\"mysql://x\",\"weight\":0}"));
        s.put("POST /api/v1/servers 422 server-unreachable", w -> {
            w.directory.unreachableHosts.add("db2.internal");
            return json("POST", servers, SECOND);
        });
        s.put("POST /api/v1/servers 422 server-not-privileged", w -> {
            w.directory.unprivilegedUsers.add("admin");
            return json("POST", servers, SECOND);
        });
        s.put("POST /api/v1/servers 500 internal-error", w -> {
            w.servers.faults().arm("register-server", new SQLException("broken", "XX000"));
            return json("POST", servers, SECOND);
        });
        s.put("POST /api/v1/servers 503 service-unavailable", w -> {
            w.servers.faults().arm("register-server", new SQLTransientConnectionException("refused", "08001"));
            return json("POST", servers, SECOND);
        });
        String drain = "{\"state\":\"draining\"}";
        s.put("PATCH /api/v1/servers/{name} 200", w -> json("PATCH", servers + "/default", drain));
        s.put("PATCH /api/v1/servers/{name} 400 malformed-request", w -> json("PATCH", servers + "/default", "{"));
        s.put("PATCH /api/v1/servers/{name} 401 unauthorized", w -> request("PATCH", servers + "/default"));
        s.put("PATCH /api/v1/servers/{name} 404 not-found", w -> json("PATCH", servers + "/nowhere", drain));
        s.put("PATCH /api/v1/servers/{name} 413 payload-too-large", w -> authorized("PATCH", servers + "/default")
                .header("Content-Type", "application/json").method("PATCH", BodyPublishers.ofInputStream(() ->
                        new java.io.ByteArrayInputStream(new byte[RequestBody.MAX_BYTES + 1]))));
        s.put("PATCH /api/v1/servers/{name} 415 unsupported-media-type", w -> authorized("PATCH",
                servers + "/default").method("PATCH", BodyPublishers.ofString(drain)));
        s.put("PATCH /api/v1/servers/{name} 422 validation-failed",
                w -> json("PATCH", servers + "/default", "{\"state\":\"paused\"}"));
        s.put("PATCH /api/v1/servers/{name} 500 internal-error", w -> {
            w.servers.faults().arm("change-server", new SQLException("broken", "XX000"));
            return json("PATCH", servers + "/default", drain);
        });
        s.put("PATCH /api/v1/servers/{name} 503 service-unavailable", w -> {
            w.servers.faults().arm("change-server", new SQLTransientConnectionException("refused", "08001"));
            return json("PATCH", servers + "/default", drain);
        });

        for (String method : List.of("GET", "HEAD")) {
            String item = MOUNT + "/tenants/{id}";
            boolean head = method.equals("HEAD");
            s.put(method + " " + item + " 200", w -> authorized(method, item(w.provision("Acme"))));
            s.put(method + " " + item + " 401" + (head ? "" : " unauthorized"),
                    w -> request(method, item(w.provision("Acme"))));
            s.put(method + " " + item + " 404" + (head ? "" : " not-found"),
                    w -> authorized(method, tenants + "/" + UUID.randomUUID()));
            s.put(method + " " + item + " 500" + (head ? "" : " internal-error"), w -> {
                w.fakes.store.faults().arm("find", new SQLException("broken", "XX000"));
                return authorized(method, tenants + "/" + UUID.randomUUID());
            });
            s.put(method + " " + item + " 503" + (head ? "" : " service-unavailable"), w -> {
                w.fakes.store.faults().arm("find", new SQLTransientConnectionException("refused", "08006"));
                return authorized(method, tenants + "/" + UUID.randomUUID());
            });
        }

        s.put("DELETE /api/v1/tenants/{id} 200", w -> authorized("DELETE", item(w.provision("Acme"))));
        s.put("DELETE /api/v1/tenants/{id} 401 unauthorized", w -> request("DELETE", item(w.provision("Acme"))));
        s.put("DELETE /api/v1/tenants/{id} 404 not-found",
                w -> authorized("DELETE", tenants + "/" + UUID.randomUUID()));
        s.put("DELETE /api/v1/tenants/{id} 409 tenant-not-active",
                w -> authorized("DELETE", item(w.stillProvisioning())));
        s.put("DELETE /api/v1/tenants/{id} 500 internal-error", w -> {
            Tenant tenant = w.provision("Acme");
            w.fakes.creator.faults().arm("drop", new SQLException("broken", "XX000"));
            return authorized("DELETE", item(tenant));
        });
        s.put("DELETE /api/v1/tenants/{id} 503 service-unavailable", w -> {
            Tenant tenant = w.provision("Acme");
            w.fakes.store.faults().arm("begin-deletion", new SQLTransientConnectionException("refused", "08006"));
            return authorized("DELETE", item(tenant));
        });

        String migrations = MOUNT + "/migrations";
        s.put("GET /api/v1/migrations 200", w -> {
            w.fakes.store.recordMigrated(w.provision("Acme").id(), "2");
            w.fakes.store.recordMigrated(w.provision("Globex").id(), "1");
            w.fakes.store.recordFailure(w.provision("Initech").id(), "1", "42P01");
            w.provision("Umbrella");
            return authorized("GET", migrations + "?limit=1");
        });
        s.put("GET /api/v1/migrations 400 malformed-request", w -> authorized("GET", migrations + "?limit=%C3%28"));
        s.put("GET /api/v1/migrations 401 unauthorized", w -> request("GET", migrations));
        s.put("GET /api/v1/migrations 422 validation-failed", w -> authorized("GET", migrations + "?limit=0"));
        s.put("GET /api/v1/migrations 500 internal-error", w -> {
            w.fakes.store.faults().arm("schemas", new SQLException("broken", "XX000"));
            return authorized("GET", migrations);
        });
        s.put("GET /api/v1/migrations 503 service-unavailable", w -> {
            w.fakes.store.faults().arm("schemas", new SQLTransientConnectionException("refused", "08001"));
            return authorized("GET", migrations);
        });

        String warmPool = MOUNT + "/warm-pool";
        s.put("GET /api/v1/warm-pool 200", w -> authorized("GET", warmPool));
        s.put("GET /api/v1/warm-pool 401 unauthorized", w -> request("GET", warmPool));
        s.put("GET /api/v1/warm-pool 500 internal-error", w -> {
            w.warmPool.set(new SQLException("broken", "XX000"));
            return authorized("GET", warmPool);
        });
        s.put("GET /api/v1/warm-pool 503 service-unavailable", w -> {
            w.warmPool.set(new SQLTransientConnectionException("refused", "08001"));
            return authorized("GET", warmPool);
        });

        String rotate = "/credentials/rotate";
        s.put("POST /api/v1/tenants/{id}/credentials/rotate 200",
                w -> authorized("POST", item(w.provision("Acme")) + rotate));
        s.put("POST /api/v1/tenants/{id}/credentials/rotate 401 unauthorized",
                w -> request("POST", item(w.provision("Acme")) + rotate));
        s.put("POST /api/v1/tenants/{id}/credentials/rotate 404 not-found",
                w -> authorized("POST", tenants + "/" + UUID.randomUUID() + rotate));
        s.put("POST /api/v1/tenants/{id}/credentials/rotate 409 tenant-not-active",
                w -> authorized("POST", item(w.stillProvisioning()) + rotate));
        s.put("POST /api/v1/tenants/{id}/credentials/rotate 500 internal-error", w -> {
            Tenant tenant = w.provision("Acme");
            w.fakes.creator.faults().arm("rotate", new SQLException("broken", "XX000"));
            return authorized("POST", item(tenant) + rotate);
        });
        s.put("POST /api/v1/tenants/{id}/credentials/rotate 503 service-unavailable", w -> {
            Tenant tenant = w.provision("Acme");
            w.fakes.store.faults().arm("find", new SQLTransientConnectionException("refused", "08006"));
            return authorized("POST", item(tenant) + rotate);
        });
        return s;
    }

    // ---- the checks

    @TestFactory
    Stream<DynamicTest> everyDocumentedStatusIsProducedAsDocumented() {
        Map<String, Scenario> scenarios = scenarios();
        return documentedResponses().entrySet().stream().map(documented -> DynamicTest.dynamicTest(
                documented.getKey(), () -> {
                    Scenario scenario = scenarios.get(documented.getKey());
                    if (scenario == null) {
                        fail("documented but no scenario produces it: " + documented.getKey());
                    }
                    WORLD.set(new World(true));
                    HttpRequest request = scenario.arrange(WORLD.get()).build();
                    HttpResponse<String> response = send(request);
                    assertConforms(documented.getKey(), documented.getValue(), request.method(), response);
                }));
    }

    @Test
    void theServedDescriptionIsDocsOpenapiYamlByteForByte() throws Exception {
        HttpResponse<String> response = send(authorized("GET", MOUNT + "/openapi.yaml").build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/yaml; charset=utf-8");
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(response.body()).isEqualTo(Files.readString(SPEC, StandardCharsets.UTF_8));
    }

    @Test
    void healthCarriesTheLibraryVersionTheBuildWrote() throws Exception {
        WORLD.set(new World(true));
        JsonNode body = JSON.readTree(send(request("GET", "/healthz").build()).body());

        assertThat(body.get("version").textValue()).isNotBlank().isNotEqualTo("unknown").doesNotContain("${");
    }

    @Test
    void everyScenarioIsDocumented() {
        assertThat(documentedResponses().keySet())
                .as("statuses the servlet is shown to produce must be in docs/openapi.yaml")
                .containsAll(scenarios().keySet());
    }

    @Test
    void theHandlersRoutesAreExactlyTheDocumentedApiPaths() {
        Map<String, Set<String>> served = new LinkedHashMap<>();
        new TenantHandler(WORLD.get().provisioner, Optional.empty(), Optional.empty(), Optional.empty()).routes()
                .forEach((template, methods) ->
                        served.put(MOUNT + template, new TreeSet<>(methods)));
        Map<String, Set<String>> documented = new LinkedHashMap<>();
        documentedMethods().forEach((path, methods) -> {
            if (path.startsWith(MOUNT + "/")) {
                documented.put(path, new TreeSet<>(methods));
            }
        });

        assertThat(documented).isEqualTo(served);
    }

    @TestFactory
    Stream<DynamicTest> onEveryDocumentedPathExactlyTheUndocumentedMethodsAre405() {
        return documentedMethods().entrySet().stream().flatMap(path -> PROBED_METHODS.stream().map(method ->
                DynamicTest.dynamicTest(method + " " + path.getKey(), () -> {
                    WORLD.set(new World(true));
                    String concrete = path.getKey().replace("{id}", UUID.randomUUID().toString())
                            .replace("{name}", "default");
                    HttpResponse<String> response = send(authorized(method, concrete).build());
                    if (path.getValue().contains(method)) {
                        Set<String> statuses = new TreeSet<>();
                        operation(path.getKey(), method).get("responses").fieldNames()
                                .forEachRemaining(statuses::add);
                        assertThat(statuses).as("documented statuses").contains(
                                String.valueOf(response.statusCode()));
                        assertThat(response.statusCode()).isNotEqualTo(405);
                    } else {
                        assertThat(response.statusCode()).isEqualTo(405);
                        assertThat(response.headers().firstValue("Allow")).hasValueSatisfying(allow ->
                                assertThat(Arrays.stream(allow.split(",")).map(String::strip))
                                        .containsExactlyInAnyOrderElementsOf(path.getValue()));
                        JsonNode notAllowed = resolve(spec.at("/components/responses/MethodNotAllowed"));
                        assertConforms(method + " " + path.getKey() + " 405", notAllowed, method, response);
                    }
                })));
    }

    @Test
    void pathsNextToDocumentedOnesAre404() throws Exception {
        String id = UUID.randomUUID().toString();
        for (String path : List.of(MOUNT, MOUNT + "/", MOUNT + "/tenant", MOUNT + "/tenants/",
                MOUNT + "/tenants/" + id + "/credentials", MOUNT + "/tenants/" + id + "/credentials/rotate/x",
                MOUNT + "/tenants/" + id + "/rotate")) {
            HttpResponse<String> response = send(authorized("GET", path).build());

            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(JSON.readTree(response.body()).get("type").textValue()).isEqualTo(PROBLEM_BASE + "not-found");
        }
    }

    @Test
    void theDocumentedProblemTypesAreExactlyTheServletsWithTheirTitlesAndStatuses() {
        Set<String> documented = new TreeSet<>();
        spec.at("/components/schemas").fields().forEachRemaining(schema -> {
            JsonNode constraints = schema.getValue().at("/allOf/1/properties");
            if (constraints.has("type")) {
                documented.add(constraints.at("/type/const").textValue() + " | "
                        + constraints.at("/title/const").textValue() + " | " + constraints.at("/status/const").asInt());
            }
        });
        Set<String> served = Arrays.stream(ProblemType.values())
                .map(type -> type.uri() + " | " + type.title() + " | " + type.status())
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(documented).isEqualTo(served);
    }

    @Test
    void everyReferenceInTheSpecResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(spec, refs);

        assertThat(refs).isNotEmpty();
        refs.forEach(ref -> assertThat(spec.at(ref.substring(1)).isMissingNode()).as(ref).isFalse());
        assertThat(spec.get("openapi").textValue()).startsWith("3.1.");
        assertThat(spec.at("/components/securitySchemes/bearer/scheme").textValue()).isEqualTo("bearer");
    }

    // ---- reading the spec

    /** Every documented response, keyed "METHOD path status" plus " slug" once per problem type it may carry. */
    private static Map<String, JsonNode> documentedResponses() {
        Map<String, JsonNode> responses = new LinkedHashMap<>();
        documentedMethods().forEach((path, methods) -> methods.forEach(method ->
                operation(path, method).get("responses").fields().forEachRemaining(entry -> {
                    JsonNode response = resolve(entry.getValue());
                    String key = method + " " + path + " " + entry.getKey();
                    Set<String> types = new LinkedHashSet<>();
                    response.path("content").forEach(media -> problemTypes(media.get("schema"), types));
                    if (types.isEmpty()) {
                        responses.put(key, response);
                    }
                    types.forEach(type -> responses.put(key + " " + type.substring(PROBLEM_BASE.length()), response));
                })));
        return responses;
    }

    /** Each documented path and its methods, upper case, in document order. */
    private static Map<String, List<String>> documentedMethods() {
        Map<String, List<String>> paths = new LinkedHashMap<>();
        spec.get("paths").fields().forEachRemaining(path -> {
            List<String> methods = new ArrayList<>();
            path.getValue().fieldNames().forEachRemaining(name -> {
                if (OPENAPI_METHODS.contains(name)) {
                    methods.add(name.toUpperCase(Locale.ROOT));
                }
            });
            paths.put(path.getKey(), methods);
        });
        return paths;
    }

    private static JsonNode operation(String path, String method) {
        return spec.get("paths").get(path).get(method.toLowerCase(Locale.ROOT));
    }

    private static void problemTypes(JsonNode schema, Set<String> into) {
        JsonNode resolved = resolve(schema);
        for (String combinator : List.of("allOf", "oneOf")) {
            resolved.path(combinator).forEach(part -> problemTypes(part, into));
        }
        JsonNode type = resolved.at("/properties/type/const");
        if (type.isTextual() && type.textValue().startsWith(PROBLEM_BASE)) {
            into.add(type.textValue());
        }
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        while (current.has("$ref")) {
            String ref = current.get("$ref").textValue();
            assertThat(ref).startsWith("#/");
            current = spec.at(ref.substring(1));
            assertThat(current.isMissingNode()).as("unresolved " + ref).isFalse();
        }
        return current;
    }

    private static void collectRefs(JsonNode node, List<String> into) {
        if (node.has("$ref")) {
            into.add(node.get("$ref").textValue());
        }
        node.forEach(child -> collectRefs(child, into));
    }

    // ---- checking a response

    private static void assertConforms(String key, JsonNode documented, String method,
                                       HttpResponse<String> response) throws Exception {
        String status = key.split(" ")[2];
        assertThat(response.statusCode()).as(key + " status").isEqualTo(Integer.parseInt(status));

        documented.path("headers").fields().forEachRemaining(header -> {
            JsonNode definition = resolve(header.getValue());
            var actual = response.headers().firstValue(header.getKey());
            if (definition.path("required").asBoolean(false)) {
                assertThat(actual).as(key + " header " + header.getKey()).isPresent();
            }
            JsonNode constant = definition.at("/schema/const");
            if (actual.isPresent() && !constant.isMissingNode()) {
                assertThat(actual.get()).as(key + " header " + header.getKey()).isEqualTo(constant.asText());
            }
        });

        JsonNode content = documented.path("content");
        if (method.equals("HEAD") || content.isMissingNode()) {
            assertThat(response.body()).as(key + " body").isEmpty();
            return;
        }
        assertThat(content.size()).as(key + " media types").isEqualTo(1);
        String mediaType = content.fieldNames().next();
        assertThat(response.headers().firstValue("Content-Type")).as(key + " Content-Type")
                .hasValueSatisfying(actual -> assertThat(actual).startsWith(mediaType));
        JsonNode body = (mediaType.endsWith("yaml") ? YAML : JSON).readTree(response.body());
        List<String> violations = new ArrayList<>();
        validate(content.get(mediaType).get("schema"), body, "$", violations);
        assertThat(violations).as(key + " body " + body).isEmpty();
        String[] parts = key.split(" ");
        if (parts.length == 4) {
            assertThat(body.get("type").textValue()).as(key + " problem type").isEqualTo(PROBLEM_BASE + parts[3]);
        }
    }

    /** The subset of JSON Schema 2020-12 that docs/openapi.yaml uses; an unknown keyword is a test failure. */
    private static void validate(JsonNode schemaOrRef, JsonNode value, String at, List<String> violations) {
        JsonNode schema = resolve(schemaOrRef);
        Set<String> known = Set.of("type", "description", "required", "properties", "additionalProperties",
                "items", "maxItems", "allOf", "oneOf", "const", "enum", "format", "minLength", "maxLength");
        for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertThat(known).as("schema keyword at " + at).contains(name);
        }
        schema.path("allOf").forEach(part -> validate(part, value, at, violations));
        if (schema.has("oneOf")) {
            int matches = 0;
            for (JsonNode part : schema.get("oneOf")) {
                List<String> own = new ArrayList<>();
                validate(part, value, at, own);
                matches += own.isEmpty() ? 1 : 0;
            }
            if (matches != 1) {
                violations.add(at + " matches " + matches + " of its oneOf schemas");
            }
        }
        if (schema.has("const") && !sameValue(schema.get("const"), value)) {
            violations.add(at + " is " + value + ", not " + schema.get("const"));
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode option : schema.get("enum")) {
                listed |= sameValue(option, value);
            }
            if (!listed) {
                violations.add(at + " is " + value + ", not one of " + schema.get("enum"));
            }
        }
        if (schema.has("type")) {
            List<String> types = new ArrayList<>();
            if (schema.get("type").isArray()) {
                schema.get("type").forEach(type -> types.add(type.textValue()));
            } else {
                types.add(schema.get("type").textValue());
            }
            if (types.stream().noneMatch(type -> hasType(value, type))) {
                violations.add(at + " is not of type " + types);
                return;
            }
        }
        if (value.isTextual()) {
            String text = value.textValue();
            int length = text.codePointCount(0, text.length());
            if (length < schema.path("minLength").asInt(0)
                    || length > schema.path("maxLength").asInt(Integer.MAX_VALUE)) {
                violations.add(at + " has a length out of bounds");
            }
            String format = schema.path("format").asText("");
            if (format.equals("uuid") && !UUID_TEXT.matcher(text).matches()) {
                violations.add(at + " is not a lower-case uuid");
            }
            if (format.equals("date-time")) {
                try {
                    Instant.parse(text);
                } catch (RuntimeException e) {
                    violations.add(at + " is not a date-time");
                }
            }
            if (format.equals("uri") && !URI.create(text).isAbsolute()) {
                violations.add(at + " is not an absolute URI");
            }
        }
        if (value.isObject()) {
            schema.path("required").forEach(name -> {
                if (!value.has(name.textValue())) {
                    violations.add(at + " lacks " + name.textValue());
                }
            });
            JsonNode properties = schema.path("properties");
            value.fields().forEachRemaining(field -> {
                if (properties.has(field.getKey())) {
                    validate(properties.get(field.getKey()), field.getValue(), at + "." + field.getKey(), violations);
                } else if (schema.path("additionalProperties").isBoolean()
                        && !schema.get("additionalProperties").booleanValue()) {
                    violations.add(at + " has an undocumented property " + field.getKey());
                }
            });
        }
        if (value.isArray()) {
            if (value.size() > schema.path("maxItems").asInt(Integer.MAX_VALUE)) {
                violations.add(at + " has too many items");
            }
            for (int i = 0; i < value.size() && schema.has("items"); i++) {
                validate(schema.get("items"), value.get(i), at + "[" + i + "]", violations);
            }
        }
    }

    /** JSON equality where 400 from YAML and 400 from the wire are equal whatever their Java number types. */
    private static boolean sameValue(JsonNode documented, JsonNode actual) {
        if (documented.isNumber() && actual.isNumber()) {
            return documented.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return documented.equals(actual);
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> throw new AssertionError("unknown schema type " + type);
        };
    }

    // ---- requests

    private static HttpRequest.Builder request(String method, String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
        return builder.method(method, BodyPublishers.noBody());
    }

    private static HttpRequest.Builder authorized(String method, String path) {
        return request(method, path).header("Authorization", "Bearer " + TOKEN);
    }

    private static HttpRequest.Builder json(String method, String path, String json) {
        return authorized(method, path).header("Content-Type", "application/json")
                .method(method, BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder post(String json) {
        return authorized("POST", MOUNT + "/tenants").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    }

    private static String item(Tenant tenant) {
        return MOUNT + "/tenants/" + tenant.id();
    }

    /**
     * Sends on a connection of its own: some scenarios end with Jetty closing the connection (a refused body, a
     * bad request), and a shared client could reuse that connection for the next one before it sees the close.
     */
    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Fresh fakes, an idempotency store when asked for, and a health flag: everything one scenario touches. */
    private static final class World {
        final InMemoryProvisioning fakes = new InMemoryProvisioning();
        final InMemoryIdempotencyStore keys = new InMemoryIdempotencyStore();
        final HeldVerifier verifier = new HeldVerifier(fakes.verifier);
        final InMemoryServerStore servers = new InMemoryServerStore(fakes.store);
        final InMemoryServerDirectory directory = new InMemoryServerDirectory();
        final TenantProvisioner provisioner;
        final AtomicBoolean controlPlaneUp = new AtomicBoolean(true);
        /** What the warm pool's status answers: a {@link WarmPoolStatus} or an exception to throw. */
        final AtomicReference<Object> warmPool = new AtomicReference<>(new WarmPoolStatus(16, 12, 1, 0));

        World(boolean idempotency) {
            this(idempotency, false);
        }

        /** With {@code placing}, the provisioner places tenants across this world's server registry. */
        World(boolean idempotency, boolean placing) {
            TenantProvisioner.Builder builder = placing
                    ? TenantProvisioner.builder().servers(servers, directory).connectionVerifier(verifier)
                            .cipherService(fakes.cipher).tenantStore(fakes.store)
                    : fakes.builder().connectionVerifier(verifier);
            provisioner = idempotency ? builder.idempotencyStore(keys).build() : builder.build();
        }

        void register(String name) {
            new ServerRegistry(servers, directory, fakes.cipher).register(new ServerRegistration(name,
                    "postgresql://admin:secret@db2.internal/postgres", Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty()));
        }

        Tenant provision(String name) {
            return provisioner.provision(new TenantRequest(name, Environment.PRODUCTION));
        }

        /** A tenant as the control plane shows it while its provisioning is still running. */
        Tenant stillProvisioning() throws SQLException {
            UUID id = UUID.randomUUID();
            Tenant pending = new Tenant(id, "Pending", Environment.PRODUCTION, TenantStatus.PROVISIONING,
                    "car_" + id.toString().replace('-', '_'), Instant.now());
            assertThat(fakes.store.reserve(pending)).isTrue();
            return pending;
        }
    }
}
