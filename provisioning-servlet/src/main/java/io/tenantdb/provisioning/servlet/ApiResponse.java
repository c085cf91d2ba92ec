package io.tenantdb.provisioning.servlet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A complete HTTP response, free of the Servlet API: the servlet and the filter only copy it out.
 *
 * @param status  the HTTP status code
 * @param headers header names to values, including {@code Content-Type}
 * @param body    the body bytes (UTF-8 JSON)
 */
record ApiResponse(int status, Map<String, String> headers, byte[] body) {

    ApiResponse {
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** Returns a copy with one more header. */
    ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, more, body);
    }

    /** Returns the value of a header, or null. */
    String header(String name) {
        return headers.get(name);
    }
}
