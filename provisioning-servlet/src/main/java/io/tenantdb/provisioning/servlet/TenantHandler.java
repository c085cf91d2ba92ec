package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantCursor;
import io.tenantdb.provisioning.TenantPage;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantQuery;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.TenantSchemas;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.spi.SchemaVersionStore.FleetSchemas;
import io.tenantdb.provisioning.spi.WarmPool;
import io.tenantdb.provisioning.servlet.ProblemMapper.FieldError;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tenant API without the Servlet API: routes a request, validates it, calls the provisioner (or, for
 * {@code /servers}, the {@link ServerHandler}) and builds the response. The routes are one table,
 * {@link #routes()}, from which both dispatch and {@code 405 Allow} headers come. Thread-safe: it holds only the
 * provisioner, the schema versions and the server registry, which are thread-safe, and immutable routes.
 */
final class TenantHandler {

    /** The page size of {@code GET /tenants} when the request names none. */
    static final int DEFAULT_LIMIT = 20;

    /** The page of failed tenant ids of {@code GET /migrations} when the request names none. */
    static final int DEFAULT_FAILED_LIMIT = 100;

    private static final int MAX_FAILED_LIMIT = 1000;
    private static final Pattern FAILED_LIMIT = Pattern.compile("[0-9]{1,4}");

    private static final Logger LOG = System.getLogger(TenantHandler.class.getName());

    // UUID.fromString also accepts short groups such as "1-1-1-1-1"; only the canonical form names a tenant.
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    // Visible ASCII only: the key is a header value that is stored and may be logged by proxies.
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    // Digits only, so "+5", " 5" and "5.0" are refused rather than silently read as 5.
    private static final Pattern LIMIT = Pattern.compile("[0-9]{1,3}");
    private static final String ENVIRONMENTS = Arrays.stream(Environment.values())
            .map(Environment::wireName).collect(Collectors.joining(", "));
    private static final String STATUSES = Arrays.stream(TenantStatus.values())
            .map(TenantStatus::wireName).collect(Collectors.joining(", "));

    private final TenantProvisioner provisioner;
    private final Optional<TenantSchemas> schemas;
    private final Optional<WarmPool> warmPool;
    private final Optional<ServerHandler> servers;
    private final List<Route> routes;

    /** @throws NullPointerException when {@code provisioner} is null */
    TenantHandler(TenantProvisioner provisioner) {
        this(provisioner, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * @param schemas the recorded schema versions: tenants then show {@code schema_version}, and
     *                {@code GET /migrations} answers; without, that route answers 404
     * @param warmPool the provisioner's warm pool: {@code GET /warm-pool} reports it; without, 404
     * @param servers  the server registry: {@code /servers} answers; without, those routes answer 404
     * @throws NullPointerException when an argument is null
     */
    TenantHandler(TenantProvisioner provisioner, Optional<TenantSchemas> schemas, Optional<WarmPool> warmPool,
                  Optional<ServerRegistry> servers) {
        this.provisioner = Objects.requireNonNull(provisioner, "provisioner");
        this.schemas = Objects.requireNonNull(schemas, "schemas");
        this.warmPool = Objects.requireNonNull(warmPool, "warmPool");
        this.servers = Objects.requireNonNull(servers, "servers").map(ServerHandler::new);
        this.routes = List.of(
                new Route("/tenants", Pattern.compile("/tenants"), operations(
                        on("GET", (request, id) -> list(request)),
                        on("POST", (request, id) -> create(request)))),
                new Route("/tenants/{id}", Pattern.compile("/tenants/([^/]+)"), operations(
                        on("GET", (request, id) -> read(id)),
                        on("HEAD", (request, id) -> read(id)),
                        on("DELETE", (request, id) -> delete(id)))),
                new Route("/tenants/{id}/credentials/rotate", Pattern.compile("/tenants/([^/]+)/credentials/rotate"),
                        operations(on("POST", (request, id) -> rotate(id)))),
                new Route("/servers", Pattern.compile("/servers"), operations(
                        on("GET", (request, name) -> onServers(handler -> handler.list())),
                        on("POST", (request, name) -> onServers(handler -> handler.register(request))))),
                new Route("/servers/{name}", Pattern.compile("/servers/([^/]+)"), operations(
                        on("PATCH", (request, name) -> onServers(handler -> handler.change(request, name))))),
                new Route("/migrations", Pattern.compile("/migrations"),
                        operations(on("GET", (request, id) -> migrations(request)))),
                new Route("/warm-pool", Pattern.compile("/warm-pool"),
                        operations(on("GET", (request, id) -> warmPool()))),
                new Route("/openapi.yaml", Pattern.compile("/openapi\\.yaml"),
                        operations(on("GET", (request, id) -> OpenApiDocument.response()))));
    }

    /**
     * Every route this handler answers: the path template below the mount point, mapped to its methods in the
     * order of the {@code Allow} header. Any other method on these paths gets {@code 405}; any other path
     * {@code 404}.
     */
    Map<String, List<String>> routes() {
        Map<String, List<String>> table = new LinkedHashMap<>();
        for (Route route : routes) {
            table.put(route.template(), List.copyOf(route.operations().keySet()));
        }
        return table;
    }

    /**
     * Answers one request. Never throws for a bad request or a provisioning failure: those become problem
     * responses.
     *
     * @throws IOException when reading the body fails (the client went away); no response can be sent then
     */
    ApiResponse handle(ApiRequest request) throws IOException {
        String path = request.path() == null ? "" : request.path();
        for (Route route : routes) {
            Matcher matcher = route.pattern().matcher(path);
            if (matcher.matches()) {
                Operation operation = route.operations().get(request.method());
                if (operation == null) {
                    return methodNotAllowed(String.join(", ", route.operations().keySet()));
                }
                return operation.answer(request, matcher.groupCount() == 0 ? null : matcher.group(1));
            }
        }
        return ProblemMapper.problem(ProblemType.NOT_FOUND, "No resource exists at this path.");
    }

    private ApiResponse create(ApiRequest request) throws IOException {
        return RequestBody.asObject(request, json -> create(request, json));
    }

    private ApiResponse create(ApiRequest request, JsonNode json) {
        List<FieldError> errors = new ArrayList<>();
        Optional<String> name = text(json, "name", errors);
        name.flatMap(TenantRequest::nameViolation)
                .ifPresent(message -> errors.add(new FieldError("name", message)));
        Optional<String> environmentName = text(json, "environment", errors);
        Optional<Environment> environment = environmentName.flatMap(Environment::fromWireName);
        if (environmentName.isPresent() && environment.isEmpty()) {
            errors.add(new FieldError("environment", "must be one of " + ENVIRONMENTS));
        }
        String key = request.idempotencyKey();
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            errors.add(new FieldError(ProblemMapper.IDEMPOTENCY_KEY, "must be 1 to 255 visible ASCII characters"));
        }
        if (!errors.isEmpty()) {
            return ProblemMapper.invalid(errors);
        }
        return guarded("POST /tenants", null, () -> {
            TenantRequest tenantRequest = new TenantRequest(name.get(), environment.get());
            // A repeated key answers with the tenant the first request created, hence 201 again.
            Tenant tenant = key == null ? provisioner.provision(tenantRequest)
                    : provisioner.provision(tenantRequest, key);
            return new ApiResponse(201, Map.of(
                    "Content-Type", "application/json",
                    "Cache-Control", "no-store",
                    "Location", request.mountPath() + "/tenants/" + tenant.id()), Json.bytes(view(tenant)));
        });
    }

    private ApiResponse list(ApiRequest request) {
        Optional<Map<String, List<String>>> parameters = QueryString.parse(request.query());
        if (parameters.isEmpty()) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST,
                    "The query string is not valid percent-encoded UTF-8.");
        }
        List<FieldError> errors = new ArrayList<>();
        Optional<Environment> environment = single(parameters.get(), "environment", errors).flatMap(value -> {
            Optional<Environment> parsed = Environment.fromWireName(value);
            if (parsed.isEmpty()) {
                errors.add(new FieldError("environment", "must be one of " + ENVIRONMENTS));
            }
            return parsed;
        });
        Optional<TenantStatus> status = single(parameters.get(), "status", errors).flatMap(value -> {
            Optional<TenantStatus> parsed = TenantStatus.fromWireName(value);
            if (parsed.isEmpty()) {
                errors.add(new FieldError("status", "must be one of " + STATUSES));
            }
            return parsed;
        });
        int limit = single(parameters.get(), "limit", errors).map(value -> {
            int parsed = LIMIT.matcher(value).matches() ? Integer.parseInt(value) : 0;
            if (parsed < 1 || parsed > TenantQuery.MAX_LIMIT) {
                errors.add(new FieldError("limit", "must be an integer from 1 to " + TenantQuery.MAX_LIMIT));
                return DEFAULT_LIMIT;
            }
            return parsed;
        }).orElse(DEFAULT_LIMIT);
        Optional<TenantCursor> after = single(parameters.get(), "cursor", errors).flatMap(value -> {
            try {
                return Optional.of(TenantCursor.decode(value));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("cursor", "must be a next_cursor value from an earlier page"));
                return Optional.empty();
            }
        });
        if (!errors.isEmpty()) {
            return ProblemMapper.invalid(errors);
        }
        return guarded("GET /tenants", null, () -> {
            TenantPage page = provisioner.list(new TenantQuery(environment, status, limit, after));
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode tenants = body.putArray("tenants");
            page.tenants().forEach(tenant -> tenants.add(view(tenant)));
            body.put("next_cursor", page.nextCursor().map(TenantCursor::encode).orElse(null));
            return ok(body);
        });
    }

    private ApiResponse read(String idText) {
        if (schemas.isEmpty()) {
            return onTenant("GET /tenants/{id}", idText, provisioner::find);
        }
        return onTenant("GET /tenants/{id}", idText, provisioner::find, (tenant, view) ->
                view.put("schema_version", schemas.get().version(tenant.id()).orElse(null)));
    }

    private ApiResponse onServers(ServerOperation operation) throws IOException {
        if (servers.isEmpty()) {
            return ProblemMapper.problem(ProblemType.NOT_FOUND, "No server registry is configured here.");
        }
        return operation.answer(servers.get());
    }

    /** An operation of the server registry's routes. */
    @FunctionalInterface
    private interface ServerOperation {
        ApiResponse answer(ServerHandler handler) throws IOException;
    }

    private ApiResponse migrations(ApiRequest request) {
        if (schemas.isEmpty()) {
            return ProblemMapper.problem(ProblemType.NOT_FOUND, "No tenant migrations are configured here.");
        }
        Optional<Map<String, List<String>>> parameters = QueryString.parse(request.query());
        if (parameters.isEmpty()) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST,
                    "The query string is not valid percent-encoded UTF-8.");
        }
        List<FieldError> errors = new ArrayList<>();
        int limit = single(parameters.get(), "limit", errors).map(value -> {
            int parsed = FAILED_LIMIT.matcher(value).matches() ? Integer.parseInt(value) : 0;
            if (parsed < 1 || parsed > MAX_FAILED_LIMIT) {
                errors.add(new FieldError("limit", "must be an integer from 1 to " + MAX_FAILED_LIMIT));
            }
            return parsed;
        }).orElse(DEFAULT_FAILED_LIMIT);
        Optional<UUID> after = single(parameters.get(), "cursor", errors).flatMap(value -> {
            if (!CANONICAL_UUID.matcher(value).matches()) {
                errors.add(new FieldError("cursor", "must be a next_cursor value from an earlier page"));
                return Optional.empty();
            }
            return Optional.of(UUID.fromString(value));
        });
        if (!errors.isEmpty()) {
            return ProblemMapper.invalid(errors);
        }
        return guarded("GET /migrations", null, () -> ok(fleetView(schemas.get().summary(after, limit))));
    }

    private ApiResponse warmPool() {
        if (warmPool.isEmpty()) {
            return ProblemMapper.problem(ProblemType.NOT_FOUND, "No warm pool is configured here.");
        }
        return guarded("GET /warm-pool", null, () -> {
            WarmPoolStatus status = WarmPoolStatus.of(warmPool.get());
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("target", status.target());
            body.put("ready", status.ready());
            body.put("making", status.making());
            body.put("stale", status.stale());
            return ok(body);
        });
    }

    /** The fleet's schema state: target, tenants per state and per version, one page of failed tenant ids. */
    private static ObjectNode fleetView(FleetSchemas fleet) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("target_version", fleet.targetVersion().orElse(null));
        ObjectNode states = body.putObject("tenants");
        states.put("current", fleet.current());
        states.put("pending", fleet.pending());
        states.put("failed", fleet.failed());
        ArrayNode versions = body.putArray("versions");
        fleet.versions().forEach(count -> versions.addObject()
                .put("version", count.version().orElse(null))
                .put("tenants", count.tenants()));
        ArrayNode failed = body.putArray("failed_tenant_ids");
        fleet.failedTenants().forEach(id -> failed.add(id.toString()));
        body.put("next_cursor", fleet.nextFailedAfter().map(UUID::toString).orElse(null));
        return body;
    }

    private ApiResponse delete(String idText) {
        return onTenant("DELETE /tenants/{id}", idText, id -> Optional.of(provisioner.deprovision(id)));
    }

    private ApiResponse rotate(String idText) {
        // Any body is ignored: the operation has no parameters, and reading one would only cost time.
        return onTenant("POST /tenants/{id}/credentials/rotate", idText,
                id -> Optional.of(provisioner.rotateCredentials(id)));
    }

    /**
     * Runs an operation on one tenant and answers {@code 200} with the tenant it returns. A malformed id is
     * answered like an unknown one: both name no tenant, and the difference would only help a prober.
     */
    private ApiResponse onTenant(String route, String idText, Function<UUID, Optional<Tenant>> operation) {
        return onTenant(route, idText, operation, (tenant, view) -> { });
    }

    /** As above; {@code extra} adds fields to the tenant's view before it is sent. */
    private ApiResponse onTenant(String route, String idText, Function<UUID, Optional<Tenant>> operation,
                                 BiConsumer<Tenant, ObjectNode> extra) {
        if (!CANONICAL_UUID.matcher(idText).matches()) {
            return ProblemMapper.of(ErrorCode.TENANT_NOT_FOUND);
        }
        UUID id = UUID.fromString(idText);
        return guarded(route, id, () -> operation.apply(id)
                .map(tenant -> {
                    ObjectNode view = view(tenant);
                    extra.accept(tenant, view);
                    return ok(view);
                })
                .orElseGet(() -> ProblemMapper.of(ErrorCode.TENANT_NOT_FOUND)));
    }

    /** Runs a call into the provisioner or the registry; its failures become problem responses, logged once. */
    static ApiResponse guarded(String route, UUID tenantId, Supplier<ApiResponse> call) {
        try {
            return call.get();
        } catch (ProvisioningException e) {
            return failure(route, tenantId, e.code());
        } catch (RuntimeException e) {
            return unexpected(route, tenantId, e);
        }
    }

    static ApiResponse ok(ObjectNode body) {
        return new ApiResponse(200, Map.of("Content-Type", "application/json", "Cache-Control", "no-store"),
                Json.bytes(body));
    }

    /** The public view of a tenant; {@link Tenant} holds no secret, and this is every field it has. */
    private static ObjectNode view(Tenant tenant) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("tenant_id", tenant.id().toString());
        node.put("name", tenant.name());
        node.put("environment", tenant.environment().wireName());
        node.put("status", tenant.status().wireName());
        node.put("database_name", tenant.databaseName());
        node.put("created_at", tenant.createdAt().toString());
        node.put("server", tenant.server());
        return node;
    }

    /** A required string field; a missing, null or non-string one is reported in {@code errors}. */
    static Optional<String> text(JsonNode object, String field, List<FieldError> errors) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return Optional.empty();
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    /** The one value of a query parameter, if given; a repeated parameter is an error, as its meaning is unclear. */
    private static Optional<String> single(Map<String, List<String>> parameters, String name,
                                           List<FieldError> errors) {
        List<String> values = parameters.getOrDefault(name, List.of());
        if (values.size() > 1) {
            errors.add(new FieldError(name, "must be given at most once"));
            return Optional.empty();
        }
        return values.stream().findFirst();
    }

    private static ApiResponse failure(String route, UUID tenantId, ErrorCode code) {
        ApiResponse response = ProblemMapper.of(code);
        if (response.status() >= 500) {
            // The code says what failed; the exception message stays out of this log, as the saga logged the cause.
            LOG.log(response.status() == 503 ? Level.WARNING : Level.ERROR, "{0} answered {1}: {2}{3}",
                    route, response.status(), code, tenantId == null ? "" : " tenant " + tenantId);
        }
        return response;
    }

    private static ApiResponse unexpected(String route, UUID tenantId, RuntimeException e) {
        LOG.log(Level.ERROR, "{0} answered 500: unexpected {1}{2}", route, e.getClass().getName(),
                tenantId == null ? "" : " tenant " + tenantId);
        return ProblemMapper.internalError();
    }

    private static ApiResponse methodNotAllowed(String allow) {
        return ProblemMapper.problem(ProblemType.METHOD_NOT_ALLOWED, "Allowed methods: " + allow + ".")
                .withHeader("Allow", allow);
    }

    /** One operation of a route: {@code tenantId} is the path's id segment, or null on a route without one. */
    @FunctionalInterface
    private interface Operation {
        ApiResponse answer(ApiRequest request, String tenantId) throws IOException;
    }

    /** A path template, the pattern that matches it, and its operations by method in {@code Allow} order. */
    private record Route(String template, Pattern pattern, Map<String, Operation> operations) {
    }

    private static Map.Entry<String, Operation> on(String method, Operation operation) {
        return Map.entry(method, operation);
    }

    @SafeVarargs
    private static Map<String, Operation> operations(Map.Entry<String, Operation>... byMethod) {
        Map<String, Operation> operations = new LinkedHashMap<>();
        for (Map.Entry<String, Operation> entry : byMethod) {
            operations.put(entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableMap(operations);
    }
}
