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
