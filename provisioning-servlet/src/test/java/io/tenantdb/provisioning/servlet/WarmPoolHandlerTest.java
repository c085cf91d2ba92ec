package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.WarmPoolStatus;
import io.tenantdb.provisioning.spi.WarmPool;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /warm-pool}, through the servlet-free handler. */
class WarmPoolHandlerTest {

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();

    @Test
    void answersTheTargetAndTheCountsThePoolRecords() throws Exception {
        TenantHandler handler = new TenantHandler(fakes.provisioner(), Optional.empty(),
                Optional.of(new StatusOnly(new WarmPoolStatus(16, 12, 1, 3))), Optional.empty());

        ApiResponse response = handler.handle(request());

        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"target\":16,\"ready\":12,\"making\":1,\"stale\":3}");
    }

    @Test
    void withoutAPoolTheRouteIs404() throws Exception {
        assertThat(new TenantHandler(fakes.provisioner()).handle(request()).status()).isEqualTo(404);
    }

    private static ApiRequest request() {
        return new ApiRequest("GET", "/api/v1", "/warm-pool", null, null, -1, InputStream.nullInputStream(), null);
    }

    /** A pool that only reports a status; the handler never provisions through it. */
    private record StatusOnly(WarmPoolStatus status) implements WarmPool {
        @Override
        public Reservation reserve(Tenant tenant) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Reservation reserveOnServer(Tenant tenant) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ConnectionDetails claim(UUID tenantId, String name, Entry entry) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void discard(Entry entry) {
            throw new UnsupportedOperationException();
        }
    }
}
