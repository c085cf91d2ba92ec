package io.tenantdb.provisioning.servlet;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** Copies an {@link ApiResponse} onto the container's response; the only servlet code that writes. */
final class ServletResponses {

    private ServletResponses() {
    }

    /**
     * Writes status, headers and, unless {@code method} is {@code HEAD}, the body. {@code Content-Length} is
     * always the body's length, as HEAD requires.
     */
    static void write(HttpServletResponse response, ApiResponse api, String method) throws IOException {
        response.setStatus(api.status());
        api.headers().forEach(response::setHeader);
        response.setContentLength(api.body().length);
        if (!"HEAD".equals(method)) {
            response.getOutputStream().write(api.body());
        }
    }
}
