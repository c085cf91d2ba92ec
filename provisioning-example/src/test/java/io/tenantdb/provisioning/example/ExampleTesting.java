package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.testing.TestPostgres;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared helpers of the example's tests: real HTTP calls and bookkeeping of the databases a test creates. */
final class ExampleTesting {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TENANT_ID = Pattern.compile("\"tenant_id\":\"([0-9a-f-]{36})\"");

    private ExampleTesting() {
    }

    /** A fresh {@code ENCRYPTION_KEY} value. */
    static String newKey() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /** A fresh {@code ADMIN_TOKEN} value. */
    static String newToken() {
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** A libpq-style {@code DATABASE_URL} for the admin of {@code postgres} on {@code database} via host:port. */
    static String databaseUrl(TestPostgres postgres, String host, int port, String database) {
        String password = postgres.adminPassword();
        String userInfo = encode(postgres.adminUser())
                + (password == null || password.isEmpty() ? "" : ":" + encode(password));
        return "postgresql://" + userInfo + "@" + host + ":" + port + "/" + database;
    }

    /** The environment of an example app on {@code database} of the test server, listening on a free port. */
    static Map<String, String> environment(TestPostgres postgres, String database, String key, String token) {
        Map<String, String> environment = new HashMap<>();
        environment.put("DATABASE_URL", databaseUrl(postgres, postgres.host(), postgres.port(), database));
        environment.put("ENCRYPTION_KEY", key);
        environment.put("ADMIN_TOKEN", token);
        environment.put("PORT", "0");
        return environment;
    }

    static HttpResponse<String> send(String method, URI uri, String token, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> post(URI base, String token, String name, String environment)
            throws IOException, InterruptedException {
        return send("POST", base.resolve("api/v1/tenants"), token, "application/json",
                "{\"name\": \"" + name + "\", \"environment\": \"" + environment + "\"}");
    }

    static String tenantId(HttpResponse<String> response) {
        Matcher matcher = TENANT_ID.matcher(response.body());
        if (!matcher.find()) {
            throw new AssertionError("no tenant_id in " + response.body());
        }
        return matcher.group(1);
    }

    /** Names of all tenant databases ({@code car_…}) on the server. */
    static Set<String> tenantDatabases(TestPostgres postgres) throws SQLException {
        Set<String> names = new HashSet<>();
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'car\\_%'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** Drops every tenant database and role recorded in the control plane of {@code controlDatabase}, then it. */
    static void dropAll(TestPostgres postgres, String controlDatabase) throws SQLException {
        List<String[]> tenants = new ArrayList<>();
        try (Connection connection = postgres.dataSource(controlDatabase).getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(
                     "SELECT database_name, role_name FROM control_plane.tenant_databases"
                             + " UNION ALL SELECT name, name FROM control_plane.warm_pool_entries")) {
            while (rs.next()) {
                tenants.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
        }
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            for (String[] tenant : tenants) {
                statement.execute("DROP DATABASE IF EXISTS \"" + tenant[0] + "\" WITH (FORCE)");
                statement.execute("DROP ROLE IF EXISTS \"" + tenant[1] + "\"");
            }
            statement.execute("DROP DATABASE IF EXISTS \"" + controlDatabase + "\" WITH (FORCE)");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
