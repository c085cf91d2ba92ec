package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantSchemas;
import io.tenantdb.provisioning.spi.WarmPool;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The tenant API: {@code GET /tenants} lists tenants a page at a time, {@code POST /tenants} provisions one,
 * {@code GET /tenants/{id}} reads one, {@code DELETE /tenants/{id}} deprovisions one and
 * {@code POST /tenants/{id}/credentials/rotate} gives its role a new password; with {@link TenantSchemas},
 * {@code GET /migrations} summarises the tenants' schema versions; with a warm pool, {@code GET /warm-pool}
 * reports it; with a {@link ServerRegistry}, {@code /servers} lists, registers and changes the PostgreSQL servers
 * tenants are placed on (see {@link #builder}). Mount it at
 * {@code /api/v1/*} behind a {@link BearerTokenFilter}; {@code Location} headers are built from the context
 * path and servlet path, so other mounts work too. Every error is an {@code application/problem+json} response;
 * the contract is in {@code docs/http-api.md}.
 *
 * <p>This class only adapts the Servlet API: routing, validation and error mapping happen in a servlet-free
 * handler. Thread-safe, as servlets must be. A {@code POST} blocks its request thread until provisioning has
 * finished or been compensated, and a {@code DELETE} until the database is dropped.
 */
public final class TenantServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient TenantHandler handler;

    /**
     * @param provisioner serves every operation; shared by all requests, so it must be thread-safe (those
     *                    built by {@link TenantProvisioner#builder()} are)
     * @throws NullPointerException when {@code provisioner} is null
     */
    public TenantServlet(TenantProvisioner provisioner) {
        this.handler = new TenantHandler(provisioner);
    }

    private TenantServlet(TenantHandler handler) {
        this.handler = handler;
    }

    /**
     * Starts a servlet over {@code provisioner} with the optional parts of the API.
     *
     * @throws NullPointerException when {@code provisioner} is null
     */
    public static Builder builder(TenantProvisioner provisioner) {
        return new Builder(Objects.requireNonNull(provisioner, "provisioner"));
    }

    // service() rather than doGet/doPost: the handler answers every method itself, including 405 with Allow.
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ApiRequest api = new ApiRequest(request.getMethod(), request.getContextPath() + request.getServletPath(),
                request.getPathInfo(), request.getQueryString(), request.getContentType(),
                request.getContentLengthLong(), new DeferredInputStream(request::getInputStream),
                request.getHeader(ProblemMapper.IDEMPOTENCY_KEY));
        ServletResponses.write(response, handler.handle(api), request.getMethod());
    }

    /** The optional parts of the API. Not thread-safe; {@link #build()} returns an independent servlet. */
    public static final class Builder {
        private final TenantProvisioner provisioner;
        private TenantSchemas schemas;
        private WarmPool warmPool;
        private ServerRegistry servers;

        private Builder(TenantProvisioner provisioner) {
            this.provisioner = provisioner;
        }

        /** Tenants show {@code schema_version}, and {@code GET /migrations} summarises the fleet. */
        public Builder schemas(TenantSchemas schemas) {
            this.schemas = Objects.requireNonNull(schemas, "schemas");
            return this;
        }

        /** {@code GET /warm-pool} reports the provisioner's warm pool: its target and counts. */
        public Builder warmPool(WarmPool warmPool) {
            this.warmPool = Objects.requireNonNull(warmPool, "warmPool");
            return this;
        }

        /** {@code GET|POST /servers} and {@code PATCH /servers/{name}} serve the registry; tenants show servers. */
        public Builder servers(ServerRegistry servers) {
            this.servers = Objects.requireNonNull(servers, "servers");
            return this;
        }

        /** Builds the servlet; every route without its part answers 404. */
        public TenantServlet build() {
            return new TenantServlet(new TenantHandler(provisioner, Optional.ofNullable(schemas),
                    Optional.ofNullable(warmPool), Optional.ofNullable(servers)));
        }
    }
}
