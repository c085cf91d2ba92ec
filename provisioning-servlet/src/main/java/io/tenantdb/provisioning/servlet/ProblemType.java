package io.tenantdb.provisioning.servlet;

/**
 * Every kind of error response. The {@link #uri() type URI} and title are stable: clients may switch on them.
 */
enum ProblemType {
    MALFORMED_REQUEST(400, "malformed-request", "Malformed request"),
    UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    DUPLICATE_TENANT(409, "duplicate-tenant", "Tenant already exists"),
    DUPLICATE_SERVER(409, "duplicate-server", "Server already registered"),
    TENANT_NOT_ACTIVE(409, "tenant-not-active", "Tenant not active"),
    REQUEST_IN_PROGRESS(409, "request-in-progress", "Request in progress"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Request body too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    VALIDATION_FAILED(422, "validation-failed", "Invalid request"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "Idempotency key reused"),
    IDEMPOTENCY_NOT_SUPPORTED(422, "idempotency-not-supported", "Idempotency not supported"),
    SERVER_UNREACHABLE(422, "server-unreachable", "Server unreachable"),
    SERVER_NOT_PRIVILEGED(422, "server-not-privileged", "Server admin lacks privileges"),
    INTERNAL_ERROR(500, "internal-error", "Internal error"),
    SERVICE_UNAVAILABLE(503, "service-unavailable", "Service unavailable"),
    NO_CAPACITY(503, "no-capacity", "No capacity");

    private static final String BASE = "https://tenantdb.io/problems/";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    int status() {
        return status;
    }

    String uri() {
        return BASE + slug;
    }

    String title() {
        return title;
    }
}
