package io.tenantdb.provisioning.servlet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Strict parsing of a request's query string. Stateless. */
final class QueryString {

    private QueryString() {
    }

    /**
     * Splits a query string ({@code application/x-www-form-urlencoded}: {@code &}-separated pairs, {@code +} for
     * space) into names and their values in order; a name without {@code =} has the value "". Empty when a
     * percent-escape is broken or the bytes are not UTF-8, which the JDK's {@code URLDecoder} would let pass.
     */
    static Optional<Map<String, List<String>>> parse(String query) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return Optional.of(parameters);
        }
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            Optional<String> name = formDecode(equals < 0 ? pair : pair.substring(0, equals));
            Optional<String> value = formDecode(equals < 0 ? "" : pair.substring(equals + 1));
            if (name.isEmpty() || value.isEmpty()) {
                return Optional.empty();
            }
            parameters.computeIfAbsent(name.get(), key -> new ArrayList<>()).add(value.get());
        }
        return Optional.of(parameters);
    }

    private static Optional<String> formDecode(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                int high = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(encoded.charAt(i + 2), 16);
                if (low < 0) {
                    return Optional.empty();
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                // A container hands over raw non-ASCII as ISO-8859-1 or UTF-8 depending on its settings.
                return Optional.empty();
            }
        }
        try {
            return Optional.of(RequestBody.strictUtf8(bytes.toByteArray()));
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
