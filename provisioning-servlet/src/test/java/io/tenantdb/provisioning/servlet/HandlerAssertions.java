package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.groups.Tuple;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Reading and checking {@link ApiResponse}s in the handler tests. */
final class HandlerAssertions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HandlerAssertions() {
    }

    static InputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(ApiResponse response) throws IOException {
        return JSON.readTree(response.body());
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Asserts a 422 validation problem whose errors are exactly {field, message} objects, and returns them. */
    static List<Tuple> errors(ApiResponse response) throws IOException {
        assertProblem(response, 422, "validation-failed", "Invalid request");
        List<Tuple> errors = new ArrayList<>();
        for (JsonNode error : json(response).get("errors")) {
            assertThat(fieldNames(error)).containsExactly("field", "message");
            errors.add(tuple(error.get("field").textValue(), error.get("message").textValue()));
        }
        return errors;
    }

    static void assertProblem(ApiResponse response, int status, String slug, String title) throws IOException {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
        JsonNode body = json(response);
        assertThat(body.get("type").textValue()).isEqualTo("https://tenantdb.io/problems/" + slug);
        assertThat(body.get("title").textValue()).isEqualTo(title);
        assertThat(body.get("status").intValue()).isEqualTo(status);
        assertThat(body.get("detail").textValue()).isNotBlank();
    }
}
