package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.PostgresUrl;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerRegistration;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.servlet.ProblemMapper.FieldError;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The server registry's routes without the Servlet API: {@code GET /servers}, {@code POST /servers} and
 * {@code PATCH /servers/{name}}, mounted by {@link TenantHandler}. Validates every field before calling the
 * registry; a server's admin URL is read from the request and never written to a response or a log. Thread-safe.
 */
final class ServerHandler {

    private static final int MAX_HOST_LENGTH = 255;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:-]+");

    private final ServerRegistry registry;

    ServerHandler(ServerRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    ApiResponse list() {
        return TenantHandler.guarded("GET /servers", null, () -> {
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode servers = body.putArray("servers");
            registry.list().forEach(server -> servers.add(view(server)));
            return TenantHandler.ok(body);
        });
    }

    ApiResponse register(ApiRequest request) throws IOException {
        return RequestBody.asObject(request, json -> {
            List<FieldError> errors = new ArrayList<>();
            Optional<String> name = TenantHandler.text(json, "name", errors);
            name.flatMap(DatabaseServer::nameViolation).ifPresent(problem -> errors.add(new FieldError("name",
                    problem)));
            name.filter(DatabaseServer.DEFAULT::equals).ifPresent(taken -> errors.add(new FieldError("name",
                    "is the host's own server, registered at start")));
            Optional<String> adminUrl = TenantHandler.text(json, "admin_url", errors);
            adminUrl.flatMap(ServerHandler::urlViolation)
                    .ifPresent(problem -> errors.add(new FieldError("admin_url", problem)));
            Optional<String> tenantHost = optionalText(json, "tenant_host", errors);
            tenantHost.filter(host -> host.length() > MAX_HOST_LENGTH || !HOST.matcher(host).matches())
                    .ifPresent(host -> errors.add(new FieldError("tenant_host",
                            "must be a host name or an IP address")));
            Optional<Integer> tenantPort = integer(json, "tenant_port", 1, 65535, errors);
            Optional<Integer> maxTenants = integer(json, "max_tenants", 0, Integer.MAX_VALUE, errors);
            Optional<Integer> weight = integer(json, "weight", 1, DatabaseServer.MAX_WEIGHT, errors);
            if (!errors.isEmpty()) {
                return ProblemMapper.invalid(errors);
            }
            return TenantHandler.guarded("POST /servers", null, () -> {
                DatabaseServer server = registry.register(new ServerRegistration(name.get(), adminUrl.get(),
                        tenantHost, tenantPort, maxTenants, weight));
                return new ApiResponse(201, Map.of("Content-Type", "application/json", "Cache-Control", "no-store",
                        "Location", request.mountPath() + "/servers/" + server.name()), Json.bytes(view(server)));
            });
        });
    }

    ApiResponse change(ApiRequest request, String name) throws IOException {
        // A name that cannot be a server's names none, like an unknown one.
        if (DatabaseServer.nameViolation(name).isPresent()) {
            return ProblemMapper.of(ErrorCode.SERVER_NOT_FOUND);
        }
        return RequestBody.asObject(request, json -> {
            List<FieldError> errors = new ArrayList<>();
            Optional<ServerState> state = optionalText(json, "state", errors).flatMap(value -> {
                Optional<ServerState> parsed = ServerState.fromWireName(value);
                if (parsed.isEmpty()) {
                    errors.add(new FieldError("state", "must be one of active, draining"));
                }
                return parsed;
            });
            Optional<Integer> weight = integer(json, "weight", 1, DatabaseServer.MAX_WEIGHT, errors);
            // Present and null removes the limit; absent keeps it.
            Optional<OptionalInt> maxTenants = json.has("max_tenants") && json.get("max_tenants").isNull()
                    ? Optional.of(OptionalInt.empty())
                    : integer(json, "max_tenants", 0, Integer.MAX_VALUE, errors).map(OptionalInt::of);
            if (!json.has("state") && !json.has("weight") && !json.has("max_tenants")) {
                errors.add(new FieldError("state", "give at least one of state, weight and max_tenants"));
            }
            if (!errors.isEmpty()) {
                return ProblemMapper.invalid(errors);
            }
            return TenantHandler.guarded("PATCH /servers/{name}", null, () ->
                    TenantHandler.ok(view(registry.change(name, new ServerChange(state, weight, maxTenants)))));
        });
    }

    /** The public view of a server: never its admin URL, which {@link DatabaseServer} does not even hold. */
    private static ObjectNode view(DatabaseServer server) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("name", server.name());
        node.put("state", server.state().wireName());
        node.put("weight", server.weight());
        node.put("max_tenants", server.maxTenants().orElse(null));
        node.put("tenants", server.tenants());
        node.put("tenant_host", server.tenantHost().orElse(null));
        node.put("tenant_port", server.tenantPort().orElse(null));
        node.put("healthy", server.healthy());
        node.put("unhealthy_until", server.unhealthyUntil().map(Instant::toString).orElse(null));
        return node;
    }

    private static Optional<String> urlViolation(String url) {
        try {
            return PostgresUrl.parse(url).user().isPresent() ? Optional.empty() : Optional.of("names no user");
        } catch (IllegalArgumentException e) {
            // The parser's messages name the problem and never repeat the URL.
            return Optional.of(e.getMessage());
        }
    }

    /** An optional string field: absent or null is empty; anything but a string is an error. */
    private static Optional<String> optionalText(JsonNode object, String field, List<FieldError> errors) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(value.textValue());
    }

    /** An optional integer field within bounds: absent or null is empty. */
    private static Optional<Integer> integer(JsonNode object, String field, int min, int max,
                                             List<FieldError> errors) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
                || value.intValue() > max) {
            errors.add(new FieldError(field, "must be an integer from " + min + " to " + max));
            return Optional.empty();
        }
        return Optional.of(value.intValue());
    }
}
