package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/** Bounded, strict reading of a JSON request body: the size cap, the drain of an excess, UTF-8. Stateless. */
final class RequestBody {

    /** The largest request body accepted, in bytes. */
    static final int MAX_BYTES = 16 * 1024;
    /** How much of an oversized body is read and discarded before answering 413 on a reusable connection. */
    static final int DRAIN_LIMIT_BYTES = 64 * 1024;

    private RequestBody() {
    }

    /** What to do with a request's body once it is known to be one JSON object. */
    @FunctionalInterface
    interface ObjectHandler {
        ApiResponse handle(JsonNode object) throws IOException;
    }

    /**
     * Reads the request's body as one JSON object in UTF-8 and hands it to {@code then}; anything else is answered
     * here: 415 for another content type, 413 over {@link #MAX_BYTES}, 400 for invalid UTF-8, malformed JSON or a
     * value that is not an object.
     */
    static ApiResponse asObject(ApiRequest request, ObjectHandler then) throws IOException {
        if (!isJsonUtf8(request.contentType())) {
            return ProblemMapper.problem(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Send the body as Content-Type: application/json in UTF-8.");
        }
        // A declared length over the cap is refused before reading; a smaller or absent one is not trusted.
        if (request.contentLength() > MAX_BYTES) {
            return tooLarge(request.body(), request.contentLength());
        }
        Optional<byte[]> bytes = readAtMost(request.body(), MAX_BYTES);
        if (bytes.isEmpty()) {
            return tooLarge(request.body(), -1);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(strictUtf8(bytes.get()));
        } catch (CharacterCodingException e) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST, "The request body is not valid UTF-8.");
        } catch (JacksonException e) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST,
                    "The request body is not a single well-formed JSON value without duplicate keys.");
        }
        if (json == null || !json.isObject()) {
            return ProblemMapper.problem(ProblemType.MALFORMED_REQUEST, "The request body must be a JSON object.");
        }
        return then.handle(json);
    }

    /**
     * Refuses an oversized body. A modest excess is read and discarded first, so the client finishes sending and
     * reads the 413 instead of a reset connection; past {@link #DRAIN_LIMIT_BYTES} the connection is closed.
     */
    private static ApiResponse tooLarge(InputStream body, long declaredLength) throws IOException {
        boolean drained = declaredLength <= DRAIN_LIMIT_BYTES && drainAtMost(body);
        ApiResponse problem = ProblemMapper.problem(ProblemType.PAYLOAD_TOO_LARGE,
                "The request body exceeds " + MAX_BYTES + " bytes.");
        return drained ? problem : problem.withHeader("Connection", "close");
    }

    /** Discards the rest of the body if it ends within {@link #DRAIN_LIMIT_BYTES}; true when it did. */
    static boolean drainAtMost(InputStream body) throws IOException {
        return body.readNBytes(DRAIN_LIMIT_BYTES + 1).length <= DRAIN_LIMIT_BYTES;
    }

    /**
     * Reads the whole stream if it holds at most {@code max} bytes; stops reading at {@code max + 1} bytes and
     * returns empty, so a client that lies about (or omits) its length cannot make us buffer more.
     */
    static Optional<byte[]> readAtMost(InputStream in, int max) throws IOException {
        byte[] buffer = in.readNBytes(max + 1);
        return buffer.length > max ? Optional.empty() : Optional.of(buffer);
    }

    /** Decodes UTF-8, refusing malformed input rather than replacing it. */
    static String strictUtf8(byte[] bytes) throws CharacterCodingException {
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
