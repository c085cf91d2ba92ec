package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The servlet module's own share of a {@code POST /api/v1/tenants}: content-type check, bounded read, UTF-8
 * decoding, strict JSON parsing, validation, and the 201 response serialized, around a provisioner that answers
 * at once. Also a malformed body, which takes the problem+json path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TenantHandlerBenchmark {

    private static final byte[] VALID = "{\"name\": \"Acme Corporation\", \"environment\": \"production\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] INVALID = "{\"name\": \"\", \"environment\": \"prod\"}"
            .getBytes(StandardCharsets.UTF_8);

    private TenantHandler handler;

    @Setup
    public void setUp() {
        Tenant tenant = new Tenant(UUID.randomUUID(), "Acme Corporation", Environment.PRODUCTION,
                TenantStatus.ACTIVE, "car_" + UUID.randomUUID().toString().replace('-', '_'), Instant.now());
        // A proxy rather than a class, so the benchmark keeps compiling as the interface grows methods.
        TenantProvisioner instant = (TenantProvisioner) Proxy.newProxyInstance(
                TenantProvisioner.class.getClassLoader(), new Class<?>[] {TenantProvisioner.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("provision")) {
                        return tenant;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        handler = new TenantHandler(instant);
    }

    @Benchmark
    public ApiResponse createParsedAndSerialized() throws IOException {
        return handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json", VALID.length,
                new ByteArrayInputStream(VALID)));
    }

    @Benchmark
    public ApiResponse invalidBodyAnsweredWithProblem() throws IOException {
        return handler.handle(new ApiRequest("POST", "/api/v1", "/tenants", "application/json", INVALID.length,
                new ByteArrayInputStream(INVALID)));
    }
}
