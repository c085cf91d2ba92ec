package io.tenantdb.provisioning.servlet;

import java.io.InputStream;
import java.util.Objects;

/**
 * What {@link TenantHandler} needs of an HTTP request, free of the Servlet API.
 *
 * @param method         the HTTP method, upper case
 * @param mountPath      the path the handler is mounted at, e.g. {@code /api/v1}; prefixes {@code Location}
 * @param path           the path below {@code mountPath}, e.g. {@code /tenants}; null is treated as empty
 * @param query          the raw, still percent-encoded query string without the {@code ?}, or null
 * @param contentType    the {@code Content-Type} header, or null
 * @param contentLength  the declared {@code Content-Length}, or -1 when absent; only ever used to refuse early
 * @param body           the request body; read at most {@link TenantHandler#MAX_BODY_BYTES} + 1 bytes
 * @param idempotencyKey the {@code Idempotency-Key} header, or null
 */
record ApiRequest(String method, String mountPath, String path, String query, String contentType,
                  long contentLength, InputStream body, String idempotencyKey) {

    ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(mountPath, "mountPath");
        Objects.requireNonNull(body, "body");
    }

    /** A request without a query string. */
    ApiRequest(String method, String mountPath, String path, String contentType, long contentLength,
               InputStream body, String idempotencyKey) {
        this(method, mountPath, path, null, contentType, contentLength, body, idempotencyKey);
    }

    /** A request without a query string or an {@code Idempotency-Key}. */
    ApiRequest(String method, String mountPath, String path, String contentType, long contentLength,
               InputStream body) {
        this(method, mountPath, path, null, contentType, contentLength, body, null);
    }
}
