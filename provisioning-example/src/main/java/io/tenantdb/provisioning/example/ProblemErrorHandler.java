package io.tenantdb.provisioning.example;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Makes the errors Jetty answers by itself — a path no servlet serves, a URI it refuses to parse — RFC 9457
 * problem documents like the API's own, instead of HTML pages. The detail is the status's standard reason, never
 * Jetty's message or a stack trace. Immutable and thread-safe.
 */
final class ProblemErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {

    private static final String PROBLEM_JSON = "application/problem+json";

    ProblemErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
        response.getHeaders().put(ERROR_CACHE_CONTROL);
        response.write(true, body(response.getStatus()), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, PROBLEM_JSON));
        return body(status);
    }

    private static ByteBuffer body(int code) {
        String title = HttpStatus.getMessage(code);
        String json = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + code
                + ",\"detail\":\"" + title + ".\"}";
        return ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
    }
}
