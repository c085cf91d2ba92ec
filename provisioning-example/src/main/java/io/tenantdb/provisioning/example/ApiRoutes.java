package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.servlet.AccessLogFilter;
import io.tenantdb.provisioning.servlet.BearerTokenFilter;
import io.tenantdb.provisioning.servlet.HealthServlet;
import io.tenantdb.provisioning.servlet.TenantServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;

import java.util.EnumSet;

/**
 * The example's routes on a servlet context, the same under Jetty and in a WAR: {@link TenantServlet} behind
 * {@link BearerTokenFilter} on {@code /api/v1/*}, {@link MetricsServlet} behind its own token filter on
 * {@code /metrics}, {@link HealthServlet} on {@code /healthz}, and optionally an {@link AccessLogFilter} in front
 * of everything. Paths are relative to the context path.
 */
final class ApiRoutes {

    private ApiRoutes() {
    }

    /** Registers every route; call while the context starts (a listener or an initializer). */
    static void register(ServletContext context, ProvisioningApplication application, String adminToken,
                         String metricsToken, boolean accessLog) {
        if (accessLog) {
            // First, so it also logs the requests the token filters refuse.
            filter(context, "tenantdb-access-log", new AccessLogFilter(), "/*");
        }
        filter(context, "tenantdb-bearer-token", new BearerTokenFilter(adminToken), "/api/v1/*");
        TenantServlet tenants = TenantServlet.builder(application.provisioner()).schemas(application.schemas())
                .warmPool(application.warmPool()).servers(application.servers()).build();
        context.addServlet("tenantdb-tenants", tenants).addMapping("/api/v1/*");
        filter(context, "tenantdb-metrics-token", new BearerTokenFilter(metricsToken), "/metrics");
        context.addServlet("tenantdb-metrics", new MetricsServlet(application.metrics())).addMapping("/metrics");
        context.addServlet("tenantdb-health", new HealthServlet(application::controlPlaneAnswers))
                .addMapping("/healthz");
    }

    private static void filter(ServletContext context, String name, Filter filter, String path) {
        context.addFilter(name, filter).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, path);
    }
}
