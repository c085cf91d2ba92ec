package io.tenantdb.provisioning.servlet;

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
