package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corpus of malformed requests — JSON syntax, types, sizes, encodings, unicode, control characters, injection
 * strings, wrong headers and methods — sent over real sockets to the example on a real PostgreSQL. Every answer
 * must be the problem response of its case's status (400 syntax, 401 token, 404 path, 405 method, 413 size,
 * 415 content type, 422 validation); none may be a 5xx; no tenant database may appear.
 */
class MalformedRequestsTest {

    private static InProcessExample example;
    private static TestPostgres postgres;
    private static ExampleApplication app;
    private static String token;
    private static URI base;

    @BeforeAll
    static void startApplication() throws Exception {
        example = InProcessExample.start();
        postgres = example.postgres();
        app = example.app();
        token = example.token();
        base = example.base();
    }

    @AfterAll
    static void stop() throws Exception {
        example.close();
    }

    @Test
    void everyMalformedRequestGetsA4xxProblemAndCreatesNothing() throws Exception {
        Set<String> before = ExampleTesting.tenantDatabases(postgres);
        List<Case> corpus = corpus();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> wrong = new ArrayList<>();

        Map<Integer, Integer> expected = new TreeMap<>();
        for (Case c : corpus) {
            Answer answer = c.send();
            statuses.merge(answer.status(), 1, Integer::sum);
            expected.merge(c.expected, 1, Integer::sum);
            if (answer.status() != c.expected || !answer.problem()) {
                wrong.add(c.label + " -> expected " + c.expected + ", got " + answer);
            }
        }

        System.out.println("malformed corpus: " + corpus.size() + " requests, statuses " + statuses);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(100);
        assertThat(wrong).as("requests not answered with their expected 4xx problem document").isEmpty();
        // The breakdown docs/reliability.md reports.
        assertThat(statuses).isEqualTo(expected).isEqualTo(Map.of(400, 39, 401, 5, 404, 6, 405, 4, 413, 3, 415, 11,
                422, 58));
        assertThat(ExampleTesting.tenantDatabases(postgres)).isEqualTo(before);
    }

    private List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        // Malformed JSON and bodies that are not an object are 400; objects whose fields fail validation are 422.
        Consumer<String> syntax =
                body -> cases.add(post(400, "body " + abbreviate(body), "application/json", bytes(body)));
        Consumer<String> json =
                body -> cases.add(post(422, "body " + abbreviate(body), "application/json", bytes(body)));
        // JSON syntax
        for (String body : List.of("", " ", "{", "}", "[", "{\"name\":", "{\"name\": \"a\",}", "{'name': 'a'}",
                "{name: \"a\"}", "{\"name\" \"a\"}", "nul", "tru", "{\"name\": \"a\"} trailing", "{}{}",
                "{\"name\": \"a\" \"environment\": \"production\"}",
                "{\"name\": \"\\x41\", \"environment\": \"production\"}",
                "{\"name\": \"\\u12\", \"environment\": \"production\"}", "/* c */ {}", "{\"a\":1}}", "\u0000",
                "{\"name\": \"a\", \"environment\": \"production\", \"name\": \"b\"}", "[[[[[[[[[[[[[[[[[[[[[[[[",
                "{\"name\": 01, \"environment\": \"production\"}",
                "{\"name\": NaN, \"environment\": \"production\"}")) {
            syntax.accept(body);
        }
        // Not an object
        for (String body : List.of("null", "true", "42", "\"tenant\"", "[]",
                "[{\"name\":\"a\",\"environment\":\"production\"}]", "-1e999", "\"\"")) {
            syntax.accept(body);
        }
        // Wrong types and missing fields
        for (String name : List.of("null", "1", "true", "[]", "{}", "[\"a\"]", "1.5", "{\"$ne\": null}")) {
            json.accept("{\"name\": " + name + ", \"environment\": \"production\"}");
        }
        for (String environment : List.of("null", "1", "true", "[]", "{}", "\"Production\"", "\"PRODUCTION\"",
                "\"prod\"", "\"\"", "\" production\"", "\"production \"", "\"test\"", "\"development\\u0000\"",
                "\"staging; DROP DATABASE postgres\"")) {
            json.accept("{\"name\": \"Acme\", \"environment\": " + environment + "}");
        }
        json.accept("{}");
        json.accept("{\"environment\": \"production\"}");
        json.accept("{\"name\": \"Acme\"}");
        json.accept("{\"Name\": \"Acme\", \"Environment\": \"production\"}");
        // Names: blank, too long, control characters, bidi overrides, lone surrogates
        for (String name : List.of("", " ", "\\t", "\\n\\n", "\\u00a0\\u2003", "a\\u0000b", "a\\u0007b", "line\\nbreak",
                "tab\\there", "esc\\u001b[31m", "del\\u007f", "c1\\u0085", "\\u202etxt.exe", "a\\u2028b", "a\\u2066b",
                "\\ud800", "x\\udc00y", "a".repeat(256), "\\u00e9".repeat(256), "\\ud83d\\ude00".repeat(256))) {
            json.accept("{\"name\": \"" + name + "\", \"environment\": \"production\"}");
        }
        // Injection strings are data, but with a bad environment nothing may be created
        for (String name : List.of("'; DROP DATABASE postgres; --", "\\\"; DROP ROLE postgres; --",
                "car_x\\\" OWNER postgres", "${jndi:ldap://x/a}", "<script>alert(1)</script>", "../../etc/passwd",
                "%00", "{{7*7}}")) {
            json.accept("{\"name\": \"" + name + "\", \"environment\": \"nope\"}");
        }
        // Encodings
        String valid = "{\"name\": \"Acme\", \"environment\": \"production\"}";
        cases.add(post(400, "invalid UTF-8", "application/json", new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3,
                (byte) 0x28, '"', '}'}));
        cases.add(post(400, "overlong UTF-8", "application/json", new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC0,
                (byte) 0xAF, '"', '}'}));
        cases.add(post(400, "UTF-16 body", "application/json", valid.getBytes(StandardCharsets.UTF_16)));
        cases.add(post(415, "UTF-16 charset", "application/json; charset=utf-16",
                valid.getBytes(StandardCharsets.UTF_16)));
        cases.add(post(415, "latin-1 charset", "application/json; charset=iso-8859-1", bytes(valid)));
        cases.add(post(400, "bare 0xFF", "application/json", new byte[] {(byte) 0xFF, (byte) 0xFE}));
        // Sizes
        cases.add(post(413, "17 KiB body", "application/json", bytes("{\"name\": \"" + "a".repeat(17 * 1024) + "\"}")));
        // As curl does for large bodies: the server answers before reading, so the 1 MiB body is never sent.
        cases.add(raw(413, "1 MiB body with Expect: 100-continue", "POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\nContent-Length: "
                + (1024 * 1024) + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"));
        cases.add(post(400, "deep nesting", "application/json",
                bytes("{\"name\": " + "[".repeat(5000) + "]".repeat(5000) + ", \"environment\": \"production\"}")));
        cases.add(raw(413, "Content-Length over 16 KiB", "POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 999999\r\nConnection: close\r\n\r\n{"));
        // Wrong content types
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/xml", "application/jsonx", "json", "*/*", "application/problem+json")) {
            cases.add(post(415, "content type " + type, type, bytes(valid)));
        }
        cases.add(post(415, "no content type", null, bytes(valid)));
        // Wrong methods and paths
        for (String method : List.of("PUT", "PATCH", "DELETE", "OPTIONS")) {
            cases.add(request(405, method + " /tenants", method, "api/v1/tenants", token, "application/json",
                    bytes(valid)));
        }
        for (String path : List.of("api/v1/tenants/not-a-uuid", "api/v1/tenants/00000000-0000-0000-0000-000000000000",
                "api/v1/tenant", "api/v1/", "api/v1/tenants/1/2/3", "api/v2/tenants")) {
            cases.add(request(404, "GET " + path, "GET", path, token, null, null));
        }
        // Jetty refuses these URIs itself (an encoded slash or NUL is ambiguous), as a problem document too, and may
        // close the connection as it answers: sent on a socket of their own, so no pooled connection races the close.
        for (String path : List.of("api/v1/tenants/..%2F..%2Fetc", "api/v1/tenants/%00")) {
            cases.add(raw(400, "GET " + path, "GET /" + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + token + "\r\nConnection: close\r\n\r\n"));
        }
        // Authentication
        cases.add(request(401, "no token", "POST", "api/v1/tenants", null, "application/json", bytes(valid)));
        cases.add(request(401, "wrong token", "POST", "api/v1/tenants", token + "x", "application/json", bytes(valid)));
        cases.add(request(401, "empty token", "POST", "api/v1/tenants", "", "application/json", bytes(valid)));
        cases.add(raw(401, "basic auth", "POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + valid.length()
                + "\r\nConnection: close\r\n\r\n" + valid));
        cases.add(raw(401, "lower-case scheme with two tokens", "POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: bearer " + token + " " + token + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + valid.length() + "\r\nConnection: close\r\n\r\n" + valid));
        // Idempotency keys that are not keys
        for (String key : List.of("", " ", "k".repeat(300), "with space\u0001")) {
            cases.add(new Case(422, "idempotency key " + abbreviate(key), () -> {
                HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("api/v1/tenants"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"Keyed\", \"environment\": \"x\"}"));
                try {
                    request.header("Idempotency-Key", key);
                } catch (IllegalArgumentException notSendable) {
                    return rawStatus("POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                            + "\r\nIdempotency-Key: " + key.replace('\u0001', '?')
                            + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
                }
                return problemStatus(ExampleTesting.HTTP.send(request.build(),
                        HttpResponse.BodyHandlers.ofString()));
            }));
        }
        return cases;
    }

    private Case post(int expected, String label, String contentType, byte[] body) {
        return request(expected, label, "POST", "api/v1/tenants", token, contentType, body);
    }

    private Case request(int expected, String label, String method, String path, String bearer, String contentType,
                         byte[] body) {
        return new Case(expected, label, () -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            return problemStatus(ExampleTesting.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        });
    }

    /** A request written by hand, for what java.net.http refuses to send. */
    private Case raw(int expected, String label, String request) {
        return new Case(expected, label, () -> rawStatus(request));
    }

    private Answer rawStatus(String request) throws IOException {
        try (Socket socket = new Socket("localhost", app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // An interim "100 Continue" would invite the body the server is about to refuse: count it as wrong.
            int status = Integer.parseInt(response.substring(9, 12));
            String lower = response.toLowerCase(java.util.Locale.ROOT);
            return new Answer(status, lower.contains("content-type: application/problem+json")
                    && lower.contains("\"status\":" + status), response.lines().findFirst().orElse(""));
        }
    }

    /** The status, and whether the answer is a problem document that repeats it. */
    private static Answer problemStatus(HttpResponse<String> response) {
        boolean problem = response.headers().firstValue("Content-Type")
                .filter(type -> type.startsWith("application/problem+json")).isPresent()
                && response.body().contains("\"status\":" + response.statusCode());
        return new Answer(response.statusCode(), problem,
                response.headers().firstValue("Content-Type").orElse("no content type") + " " + response.body());
    }

    /** What came back; {@code seen} describes it for failure messages. */
    private record Answer(int status, boolean problem, String seen) {
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    @FunctionalInterface
    private interface Call {
        Answer answer() throws Exception;
    }

    /** One malformed request and the status http-api.md gives it. */
    private record Case(int expected, String label, Call call) {
        Answer send() throws Exception {
            return call.answer();
        }
    }
}
