package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantSchemas;
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
 * {@code GET /migrations} summarises the tenants' schema versions; with a {@link ServerRegistry}, {@code /servers}
 * lists, registers and changes the PostgreSQL servers tenants are placed on. Mount it at
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

    /**
     * A servlet that also reports tenants' schema versions: {@code GET /tenants/{id}} shows {@code schema_version},
     * and {@code GET /migrations} summarises the fleet against the target version.
     *
     * @throws NullPointerException when an argument is null
     */
    public TenantServlet(TenantProvisioner provisioner, TenantSchemas schemas) {
        this.handler = new TenantHandler(provisioner, Optional.of(Objects.requireNonNull(schemas, "schemas")),
                Optional.empty());
    }

    /**
     * A servlet that also serves the server registry: {@code GET /servers}, {@code POST /servers} and
     * {@code PATCH /servers/{name}}, and tenants show their {@code server}.
     *
     * @throws NullPointerException when an argument is null
     */
    public TenantServlet(TenantProvisioner provisioner, TenantSchemas schemas, ServerRegistry servers) {
        this.handler = new TenantHandler(provisioner, Optional.of(Objects.requireNonNull(schemas, "schemas")),
                Optional.of(Objects.requireNonNull(servers, "servers")));
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
}
