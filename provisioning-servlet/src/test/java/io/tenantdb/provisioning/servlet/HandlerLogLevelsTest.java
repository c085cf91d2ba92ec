package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.testing.CapturedLog;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/** http-api.md, Logging: one line per 5xx, 503 at WARNING and 500 at ERROR; nothing for a 4xx. */
class HandlerLogLevelsTest {

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final TenantHandler handler = new TenantHandler(fakes.provisioner());
    private CapturedLog log;

    @BeforeEach
    void capture() {
        log = CapturedLog.of(TenantHandler.class.getName());
    }

    @AfterEach
    void release() {
        log.close();
    }

    @Test
    void a503IsLoggedOnceAtWarning() {
        fakes.store.faults().arm("find", new SQLTransientConnectionException("down db.internal", "08001"));
        UUID id = UUID.randomUUID();

        assertThat(get(id).status()).isEqualTo(503);

        assertThat(log.records()).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(new SimpleFormatter().formatMessage(record))
                    .isEqualTo("GET /tenants/{id} answered 503: DATABASE_UNAVAILABLE tenant " + id);
        });
    }

    @Test
    void a500IsLoggedOnceAtError() {
        fakes.store.faults().arm("find", new SQLException("broken at db.internal", "XX000"));
        UUID id = UUID.randomUUID();

        assertThat(get(id).status()).isEqualTo(500);

        assertThat(log.records()).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(new SimpleFormatter().formatMessage(record))
                    .isEqualTo("GET /tenants/{id} answered 500: STORE_FAILED tenant " + id);
        });
    }

    @Test
    void anUnexpectedExceptionIsA500LoggedAtErrorWithItsTypeOnly() {
        TenantProvisioner buggy = (TenantProvisioner) Proxy.newProxyInstance(TenantProvisioner.class.getClassLoader(),
                new Class<?>[] {TenantProvisioner.class}, (proxy, method, arguments) -> {
                    throw new IllegalStateException("bug near db.internal");
                });

        assertThat(get(new TenantHandler(buggy), UUID.randomUUID()).status()).isEqualTo(500);

        assertThat(log.records()).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(new SimpleFormatter().formatMessage(record))
                    .contains("answered 500: unexpected java.lang.IllegalStateException").doesNotContain("db.internal");
        });
    }

    @Test
    void a4xxIsNotLogged() {
        assertThat(get(UUID.randomUUID()).status()).isEqualTo(404);

        assertThat(log.records()).isEmpty();
    }

    private ApiResponse get(UUID id) {
        return get(handler, id);
    }

    private static ApiResponse get(TenantHandler handler, UUID id) {
        try {
            return handler.handle(new ApiRequest("GET", "/api/v1", "/tenants/" + id, null, -1,
                InputStream.nullInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
