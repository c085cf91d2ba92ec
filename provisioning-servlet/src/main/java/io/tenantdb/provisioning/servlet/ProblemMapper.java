package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one place that turns failures into {@code application/problem+json} responses (RFC 9457) and
 * {@link ErrorCode}s into HTTP statuses. Details are fixed sentences written here: no exception message, SQL
 * text or input value ever reaches a body.
 */
final class ProblemMapper {

    static final String PROBLEM_JSON = "application/problem+json";

    /** Seconds a client should wait before retrying after a 503. */
    static final String RETRY_AFTER_SECONDS = "5";

    /** Seconds a client should wait before retrying when no server has room: an operator must act first. */
    static final String NO_CAPACITY_RETRY_AFTER_SECONDS = "60";

    /** Seconds a client should wait before repeating a request whose Idempotency-Key is still in use. */
    static final String IN_PROGRESS_RETRY_AFTER_SECONDS = "2";

    /** The request header that makes a POST idempotent, as a field name in 422 problems. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private ProblemMapper() {
    }

    /** A field that failed validation, reported as {@code {"field": ..., "message": ...}}. */
    record FieldError(String field, String message) {

        FieldError {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Maps a failure of the provisioner. */
    static ApiResponse of(ProvisioningException failure) {
        return of(failure.code());
    }

    /** Maps an error code; every code has exactly one response. */
    static ApiResponse of(ErrorCode code) {
        return switch (code) {
            case INVALID_REQUEST -> invalid(ProblemType.VALIDATION_FAILED,
                    "The provisioner refused the request as invalid.", List.of());
            case DUPLICATE_TENANT -> problem(ProblemType.DUPLICATE_TENANT,
                    "An active tenant with this name already exists in this environment.");
            case IDEMPOTENCY_KEY_REUSED -> invalid(ProblemType.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was already used with a different request.",
                    List.of(new FieldError(IDEMPOTENCY_KEY, "was already used with a different request")));
            case REQUEST_IN_PROGRESS -> problem(ProblemType.REQUEST_IN_PROGRESS,
                    "A request with this Idempotency-Key is still running; repeat it later for its result.")
                    .withHeader("Retry-After", IN_PROGRESS_RETRY_AFTER_SECONDS);
            case IDEMPOTENCY_NOT_SUPPORTED -> invalid(ProblemType.IDEMPOTENCY_NOT_SUPPORTED,
                    "This server keeps no Idempotency-Keys; send the request without one or enable them.",
                    List.of(new FieldError(IDEMPOTENCY_KEY,
                            "is not supported: no idempotency store is configured")));
            case TENANT_NOT_ACTIVE -> problem(ProblemType.TENANT_NOT_ACTIVE,
                    "The tenant's state does not allow this operation now, for example while it is provisioning.");
            case TENANT_NOT_FOUND -> problem(ProblemType.NOT_FOUND, "No tenant has this id.");
            case NO_CAPACITY -> problem(ProblemType.NO_CAPACITY,
                    "No PostgreSQL server can take a new tenant now: every one is full, draining or unreachable.")
                    .withHeader("Retry-After", NO_CAPACITY_RETRY_AFTER_SECONDS);
            case SERVER_NOT_FOUND -> problem(ProblemType.NOT_FOUND, "No server has this name.");
            case DUPLICATE_SERVER -> problem(ProblemType.DUPLICATE_SERVER, "A server with this name is registered.");
            case SERVER_UNREACHABLE -> invalid(ProblemType.SERVER_UNREACHABLE,
                    "The server did not answer, or refused this login, within the connect timeout; nothing was stored.",
                    List.of(new FieldError("admin_url", "did not reach a server that accepts this login")));
            case SERVER_NOT_PRIVILEGED -> invalid(ProblemType.SERVER_NOT_PRIVILEGED,
                    "The admin role lacks CREATEDB or CREATEROLE; nothing was stored.",
                    List.of(new FieldError("admin_url", "names a role without CREATEDB and CREATEROLE")));
            case DATABASE_UNAVAILABLE -> problem(ProblemType.SERVICE_UNAVAILABLE,
                    "PostgreSQL is unavailable. Retry later.")
                    .withHeader("Retry-After", RETRY_AFTER_SECONDS);
            case RESERVE_FAILED, CREATE_FAILED, VERIFY_FAILED, INITIALIZE_FAILED, CRYPTO_FAILED, STORE_FAILED ->
                    internalError();
        };
    }

    /** The response to any failure that is not the client's and not a known outage. */
    static ApiResponse internalError() {
        return problem(ProblemType.INTERNAL_ERROR, "The request failed on the server. The failure has been logged.");
    }

    /** A 422 listing every field that failed, in the order checked. */
    static ApiResponse invalid(List<FieldError> errors) {
        return invalid(ProblemType.VALIDATION_FAILED, "One or more fields are invalid.", errors);
    }

    private static ApiResponse invalid(ProblemType type, String detail, List<FieldError> errors) {
        ObjectNode body = body(type, detail);
        ArrayNode list = body.putArray("errors");
        for (FieldError error : errors) {
            list.addObject().put("field", error.field()).put("message", error.message());
        }
        return response(type, body);
    }

    /** A problem of the given type with a fixed, client-safe detail. */
    static ApiResponse problem(ProblemType type, String detail) {
        return response(type, body(type, detail));
    }

    private static ObjectNode body(ProblemType type, String detail) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", type.uri());
        body.put("title", type.title());
        body.put("status", type.status());
        body.put("detail", detail);
        return body;
    }

    private static ApiResponse response(ProblemType type, ObjectNode body) {
        return new ApiResponse(type.status(),
                Map.of("Content-Type", PROBLEM_JSON, "Cache-Control", "no-store"), Json.bytes(body));
    }
}
