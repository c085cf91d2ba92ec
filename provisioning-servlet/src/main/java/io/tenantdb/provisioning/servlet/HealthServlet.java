package io.tenantdb.provisioning.servlet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The health check: {@code GET /healthz} answers {@code 200 {"status":"ok","version":"…"}} when the control plane
 * answers and {@code 503 {"status":"unavailable","version":"…"}} otherwise, with the tenantdb library version.
 * Needs no authentication and reveals nothing else. Other methods get {@code 405} with {@code Allow: GET, HEAD}.
 *
 * <p>Thread-safe when the supplier is. The supplier is called once per request, so it should be cheap and
 * bounded in time (for instance {@code Connection.isValid(2)} on a pooled connection).
 */
public final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = System.getLogger(HealthServlet.class.getName());

    private final transient BooleanSupplier controlPlaneAnswers;

    /**
     * @param controlPlaneAnswers true when the control-plane database answers; an exception counts as false
     * @throws NullPointerException when {@code controlPlaneAnswers} is null
     */
    public HealthServlet(BooleanSupplier controlPlaneAnswers) {
        this.controlPlaneAnswers = Objects.requireNonNull(controlPlaneAnswers, "controlPlaneAnswers");
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        ApiResponse answer = method.equals("GET") || method.equals("HEAD")
                ? check(method)
                : ProblemMapper.problem(ProblemType.METHOD_NOT_ALLOWED, "Allowed methods: GET, HEAD.")
                        .withHeader("Allow", "GET, HEAD");
        ServletResponses.write(response, answer, method);
    }

    private ApiResponse check(String method) {
        boolean up;
        try {
            up = controlPlaneAnswers.getAsBoolean();
            if (!up) {
                LOG.log(Level.WARNING, "{0} /healthz answered 503: the control plane does not answer", method);
            }
        } catch (RuntimeException e) {
            // Only the type and SQLState: a driver's message may name hosts or users.
            LOG.log(Level.WARNING, "{0} /healthz answered 503: {1}{2}", method, e.getClass().getName(), sqlState(e));
            up = false;
        }
        ObjectNode body = Json.MAPPER.createObjectNode().put("status", up ? "ok" : "unavailable")
                .put("version", LibraryVersion.VALUE);
        return new ApiResponse(up ? 200 : 503,
                Map.of("Content-Type", "application/json", "Cache-Control", "no-store"), Json.bytes(body));
    }

    private static String sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return " sqlstate=" + sql.getSQLState();
            }
        }
        return "";
    }
}
