package io.tenantdb.provisioning.postgres;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantStatus;
import io.tenantdb.provisioning.spi.TenantStore;
import io.tenantdb.provisioning.spi.TenantStore.StoredDatabase;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.Sql;
import io.tenantdb.provisioning.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reservations (plain and on a server) and step markers commit with {@code synchronous_commit} off, activation with
 * it on, and no write makes the server warn. A trigger records the setting in force inside each writing transaction;
 * every statement's warnings (the server's NOTICE and WARNING messages) are collected before it closes.
 */
@ExtendWith(PostgresExtension.class)
class RelaxedCommitTest {

    private TestDatabase database;
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(TestDatabase database) {
        this.database = database;
    }

    @Test
    void reserveAndAdvanceCommitAsynchronouslyActivateSynchronouslyAndTheServerNeverWarns() throws SQLException {
        synchronousCommitOnByDefault();
        JdbcTenantStore store = new JdbcTenantStore(collectingWarnings(database.dataSource()));
        store.migrate();
        recordSynchronousCommitOfEveryWrite();
        UUID id = UUID.randomUUID();
        String name = "car_" + id.toString().replace('-', '_');
        Tenant tenant = new Tenant(id, "Acme", Environment.PRODUCTION, TenantStatus.PROVISIONING, name,
                Instant.now().truncatedTo(ChronoUnit.MICROS));

        assertThat(store.reserve(tenant)).isTrue();
        store.advance(id, "create");
        store.activate(id, new StoredDatabase(name, name, "sealed", "0a0b0c0d"));
        UUID onServer = UUID.randomUUID();
        assertThat(store.reserveOnServer(new Tenant(onServer, "Acme on a server", Environment.PRODUCTION,
                TenantStatus.PROVISIONING, "car_" + onServer.toString().replace('-', '_'),
                Instant.now().truncatedTo(ChronoUnit.MICROS)))).isEqualTo(TenantStore.Reservation.RESERVED);

        assertThat(Sql.strings(database.dataSource(),
                "SELECT operation || ' ' || setting FROM commit_settings ORDER BY n"))
                .containsExactly("INSERT off", "UPDATE off", "UPDATE on", "INSERT off");
        assertThat(warnings).isEmpty();
    }

    // The embedded test server runs with synchronous_commit off; a production server has it on.
    private void synchronousCommitOnByDefault() throws SQLException {
        try (Connection connection = database.server().adminDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER DATABASE \"" + database.name() + "\" SET synchronous_commit = on");
        }
    }

    private void recordSynchronousCommitOfEveryWrite() throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE commit_settings (n serial PRIMARY KEY, operation text, setting text)");
            statement.execute("""
                    CREATE FUNCTION record_commit_setting() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      INSERT INTO commit_settings (operation, setting)
                           VALUES (TG_OP, current_setting('synchronous_commit'));
                      RETURN NULL;
                    END $$""");
            statement.execute("CREATE TRIGGER record_commit_setting AFTER INSERT OR UPDATE ON control_plane.tenants"
                    + " FOR EACH ROW EXECUTE FUNCTION record_commit_setting()");
        }
    }

    /** A data source whose statements add the warnings they received to {@link #warnings} when they close. */
    private DataSource collectingWarnings(DataSource target) {
        return proxy(DataSource.class, target, connection -> connection instanceof Connection c
                ? proxy(Connection.class, c, this::collecting) : connection);
    }

    private Object collecting(Object created) {
        if (!(created instanceof PreparedStatement statement)) {
            return created;
        }
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class},
                (self, method, args) -> {
                    if (method.getName().equals("close")) {
                        for (SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
                            warnings.add(w.getMessage());
                        }
                    }
                    return invoke(statement, method, args);
                });
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type, T target, UnaryOperator<Object> wrapResult) {
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> wrapResult.apply(invoke(target, method, args)));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
