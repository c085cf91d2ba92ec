package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.servlet.ProblemMapper.FieldError;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tenant API without the Servlet API: routes a request, validates it, calls the provisioner and builds the
 * response. Thread-safe: it holds only the provisioner, which is thread-safe.
 */
final class TenantHandler {

    /** The largest request body accepted, in bytes. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Logger LOG = System.getLogger(TenantHandler.class.getName());

    private static final Pattern TENANT_PATH = Pattern.compile("/tenants/([^/]+)");
    // UUID.fromString also accepts short groups such as "1-1-1-1-1"; only the canonical form names a tenant.
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    // Visible ASCII only: the key is a header value that is stored and may be logged by proxies.
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final String ENVIRONMENTS = Arrays.stream(Environment.values())
            .map(Environment::wireName).collect(Collectors.joining(", "));

    private final TenantProvisioner provisioner;

    /** @throws NullPointerException when {@code provisioner} is null */
    TenantHandler(TenantProvisioner provisioner) {
        this.provisioner = Objects.requireNonNull(provisioner, "provisioner");
    }

    /**
     * Answers one request. Never throws for a bad request or a provisioning failure: those become problem
     * responses.
     *
     * @throws IOException when reading the body fails (the client went away); no response can be sent then
     */
    ApiResponse handle(ApiRequest request) throws IOException {
        String path = request.path() == null ? "" : request.path();
        String method = request.method();
        if (path.equals("/tenants")) {
            return method.equals("POST") ? create(request) : methodNotAllowed("POST");
        }
        Matcher item = TENANT_PATH.matcher(path);
        if (item.matches()) {
            return method.equals("GET") || method.equals("HEAD") ? read(item.group(1)) : methodNotAllowed("GET, HEAD");
        }
        return ProblemMapper.problem(ProblemType.NOT_FOUND, "No resource exists at this path.");
    }

    private ApiResponse create(ApiRequest request) throws IOException {
        if (!isJsonUtf8(request.contentType())) {
            return ProblemMapper.problem(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Send the body as Content-Type: application/json in UTF-8.");
        }
        // A declared length over the cap is refused before reading; a smaller or absent one is not trusted.
        if (request.contentLength() > MAX_BODY_BYTES) {
            return tooLarge();
        }
        Optional<byte[]> bytes = readAtMost(request.body(), MAX_BODY_BYTES);
        if (bytes.isEmpty()) {
            return tooLarge();
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(decodeUtf8(bytes.get()));
        } catch (CharacterCodingException e) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST, "The request body is not valid UTF-8.");
        } catch (JacksonException e) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST,
                    "The request body is not a single well-formed JSON value without duplicate keys.");
        }
        if (json == null || !json.isObject()) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST, "The request body must be a JSON object.");
        }
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
        try {
            TenantRequest tenantRequest = new TenantRequest(name.get(), environment.get());
            // A repeated key answers with the tenant the first request created, hence 201 again.
            Tenant tenant = key == null ? provisioner.provision(tenantRequest)
                    : provisioner.provision(tenantRequest, key);
            return new ApiResponse(201, Map.of(
                    "Content-Type", "application/json",
                    "Cache-Control", "no-store",
                    "Location", request.mountPath() + "/tenants/" + tenant.id()), Json.bytes(view(tenant)));
        } catch (ProvisioningException e) {
            return failure("POST /tenants", null, e.code());
        } catch (RuntimeException e) {
            return unexpected("POST /tenants", null, e);
        }
    }

    private ApiResponse read(String idText) {
        if (!CANONICAL_UUID.matcher(idText).matches()) {
            return ProblemMapper.of(ErrorCode.TENANT_NOT_FOUND);
        }
        UUID id = UUID.fromString(idText);
        try {
            return provisioner.find(id)
                    .map(tenant -> new ApiResponse(200,
                            Map.of("Content-Type", "application/json", "Cache-Control", "no-store"),
                            Json.bytes(view(tenant))))
                    .orElseGet(() -> ProblemMapper.of(ErrorCode.TENANT_NOT_FOUND));
        } catch (ProvisioningException e) {
            return failure("GET /tenants/{id}", id, e.code());
        } catch (RuntimeException e) {
            return unexpected("GET /tenants/{id}", id, e);
        }
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
        return node;
    }

    private static Optional<String> text(JsonNode object, String field, List<FieldError> errors) {
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

    private static ApiResponse tooLarge() {
        return ProblemMapper.problem(ProblemType.PAYLOAD_TOO_LARGE,
                "The request body exceeds " + MAX_BODY_BYTES + " bytes.");
    }

    /**
     * Reads the whole stream if it holds at most {@code max} bytes; stops reading at {@code max + 1} bytes and
     * returns empty, so a client that lies about (or omits) its length cannot make us buffer more.
     */
    static Optional<byte[]> readAtMost(InputStream in, int max) throws IOException {
        byte[] buffer = in.readNBytes(max + 1);
        return buffer.length > max ? Optional.empty() : Optional.of(buffer);
    }

    private static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    /**
     * True for {@code application/json} with no charset or a UTF-8 one (RFC 8259 allows nothing else); other
     * parameters are ignored.
     */
    static boolean isJsonUtf8(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";", -1);
        if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (parameter.isEmpty()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            if (equals < 0) {
                return false;
            }
            String key = parameter.substring(0, equals).strip();
            String value = parameter.substring(equals + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (key.equalsIgnoreCase("charset") && !value.equalsIgnoreCase("utf-8")) {
                return false;
            }
        }
        return true;
    }
}
