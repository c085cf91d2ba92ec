package io.tenantdb.provisioning.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * (c) {@code POST /api/v1/tenants} to the running Jetty over real sockets, with {@link HttpClient} over HTTP/1.1
 * and keep-alive (the client pools its connections). Thread-safe.
 */
final class HttpWorkload implements Workload {

    private static final Pattern TENANT_ID = Pattern.compile("\"tenant_id\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    private static final Pattern DATABASE = Pattern.compile("\"database_name\"\\s*:\\s*\"([a-z0-9_]{1,63})\"");

    private final URI endpoint;
    private final String token;
    private HttpClient client;

    HttpWorkload(int port, String token) {
        this.endpoint = URI.create("http://127.0.0.1:" + port + "/api/v1/tenants");
        this.token = token;
    }

    @Override
    public String key() {
        return "c";
    }

    @Override
    public String description() {
        return "POST /api/v1/tenants over HTTP/1.1 keep-alive to the in-process Jetty";
    }

    @Override
    public void open(int workers) {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Sends {@code requests} authenticated requests that end before any database write, alternately a POST refused
     * for its environment (422) and a GET of a tenant that does not exist (404), so that the HTTP client, Jetty,
     * the filter, the servlet and Jackson are compiled by the JIT as in a server that has been up a while: the
     * warm-up rounds run them only a few dozen times, far below the JIT's thresholds.
     *
     * @throws IOException when an answer is not the expected refusal
     */
    void warmUpStack(int requests) throws IOException, InterruptedException {
        String refused = "{\"name\":\"" + TENANT_NAME_PREFIX + "warm-up\",\"environment\":\"no-such-environment\"}";
        for (int i = 0; i < requests; i++) {
            HttpRequest.Builder request = i % 2 == 0
                    ? HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(refused))
                    : HttpRequest.newBuilder(endpoint.resolve("tenants/" + UUID.randomUUID())).GET();
            int expected = i % 2 == 0 ? 422 : 404;
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IOException("warm-up request answered " + response.statusCode() + ", expected " + expected);
            }
        }
    }

    @Override
    public Provisioned provision(int worker) throws IOException, InterruptedException {
        return post(client, endpoint, token, TENANT_NAME_PREFIX + "http-" + UUID.randomUUID());
    }

    /**
     * Posts one tenant and reads what was created from the 201 body.
     *
     * @throws IOException when the answer is not 201 with a tenant id and database name
     */
    static Provisioned post(HttpClient client, URI endpoint, String token, String name)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"" + name + "\",\"environment\":\"production\"}"))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        Matcher id = TENANT_ID.matcher(response.body());
        Matcher database = DATABASE.matcher(response.body());
        if (response.statusCode() != 201 || !id.find() || !database.find()) {
            throw new IOException("POST /api/v1/tenants answered " + response.statusCode() + ": " + response.body());
        }
        return new Provisioned(UUID.fromString(id.group(1)), database.group(1), false);
    }

    @Override
    public void close() {
        // HttpClient has no close() before Java 21; dropping it lets its idle connections expire.
        client = null;
    }
}
