package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.testing.TestPostgres;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The least a deployment can give the library: a login role with {@code CREATEDB} and {@code CREATEROLE} but not
 * superuser, and a database it owns (the one its {@code DATABASE_URL} would name). Created by the test server's
 * superuser; {@link #close()} drops both, so close it after the tenants it made are gone.
 */
final class LimitedAdmin implements AutoCloseable {

    final TestPostgres postgres;
    /** The role's name; also the name of the database it owns. */
    final String role;
    private final String password;

    LimitedAdmin(TestPostgres postgres) throws SQLException {
        this.postgres = postgres;
        SecureRandom random = new SecureRandom();
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        this.role = "admin_" + HexFormat.of().formatHex(suffix);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        this.password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String quoted = Identifiers.quote(role);
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + quoted + " LOGIN CREATEDB CREATEROLE PASSWORD '"
                    + ScramVerifier.of(password, PostgresDatabaseCreator.DEFAULT_SCRAM_ITERATIONS, random) + "'");
            statement.execute("CREATE DATABASE " + quoted + " OWNER " + quoted);
        }
    }

    /** Connections as this role to the database it owns. */
    DataSource dataSource() {
        return dataSource(role);
    }

    /** Connections as this role to {@code database}. */
    DataSource dataSource(String database) {
        return postgres.dataSource(database, role, password);
    }

    /** A creator whose admin is this role, so every tenant role goes through {@code GRANT … TO CURRENT_USER}. */
    PostgresDatabaseCreator creator(UUID controlPlaneId) {
        return PostgresDatabaseCreator.builder(dataSource(), controlPlaneId)
                .tenantEndpoint(postgres.host(), postgres.port()).build();
    }

    @Override
    public void close() throws SQLException {
        String quoted = Identifiers.quote(role);
        try (Connection connection = postgres.adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
            statement.execute("DROP ROLE IF EXISTS " + quoted);
        }
    }
}
