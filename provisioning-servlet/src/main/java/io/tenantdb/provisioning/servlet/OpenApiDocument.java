package io.tenantdb.provisioning.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The OpenAPI description of this API, {@code docs/openapi.yaml}, which the build copies into this module's jar;
 * served by {@link TenantHandler} at {@code GET /openapi.yaml}. Read once; immutable.
 */
final class OpenApiDocument {

    /** The media type of RFC 9512. */
    static final String MEDIA_TYPE = "application/yaml";

    private static final byte[] BYTES = read();

    private OpenApiDocument() {
    }

    /** 200 with the document, or 404 when the jar was built without it. */
    static ApiResponse response() {
        if (BYTES == null) {
            return ProblemMapper.problem(ProblemType.NOT_FOUND, "No resource exists at this path.");
        }
        return new ApiResponse(200, Map.of("Content-Type", MEDIA_TYPE + "; charset=utf-8",
                "Cache-Control", "no-store"), BYTES.clone());
    }

    private static byte[] read() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream("openapi.yaml")) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
