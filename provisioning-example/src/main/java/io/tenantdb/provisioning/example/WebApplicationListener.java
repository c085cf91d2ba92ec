package io.tenantdb.provisioning.example;

import io.tenantdb.provisioning.servlet.BearerTokenFilter;
import io.tenantdb.provisioning.servlet.HealthServlet;
import io.tenantdb.provisioning.servlet.TenantServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;

import java.sql.SQLException;
import java.util.EnumSet;

/**
 * Starts the example inside a servlet container (registered in the WAR's {@code web.xml}). Reads the same
 * variables as the runnable jar through {@link Configuration}, looking each one up, first found wins, as
 * <ol>
 *   <li>a context init parameter of that name (web.xml {@code <context-param>}, Tomcat's
 *       {@code <Parameter>} in context.xml, Jetty's {@code setInitParameter}),</li>
 *   <li>a Java system property of that name,</li>
 *   <li>an environment variable.</li>
 * </ol>
 * WAR mode requires {@code DATABASE_URL} (and so {@code ENCRYPTION_KEY} and {@code ADMIN_TOKEN}): a container is
 * no place to start a database. {@code PORT} and {@code PROVISIONING_DATA_DIR} are ignored; the container owns
 * the port. Registers the tenant servlet and bearer filter on {@code /api/v1/*} and health on {@code /healthz},
 * relative to the context path. A configuration error fails the deployment, with a message naming the variable.
 *
 * <p>The container calls it from one thread at a time.
 */
public final class WebApplicationListener implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger(WebApplicationListener.class.getName());

    private ProvisioningApplication application;

    /** Called by the container. */
    public WebApplicationListener() {
    }

    /**
     * Builds the application and registers its servlets.
     *
     * @throws IllegalStateException when the configuration is invalid or the database unreachable; the container
     *                               then marks the deployment failed
     */
    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Configuration configuration;
        try {
            configuration = Configuration.from(name -> lookup(context, name));
        } catch (Configuration.Invalid e) {
            throw new IllegalStateException("configuration error: " + e.getMessage());
        }
        Configuration.Database admin = configuration.database().orElseThrow(() -> new IllegalStateException(
                "configuration error: DATABASE_URL is required when deployed as a WAR"));
        try {
            application = ProvisioningApplication.start(configuration, admin, configuration.encryptionKey().orElseThrow());
            application.startMaintenance(configuration.timeouts().reconcileInterval());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot start: " + Failures.describe(e), e);
        }

        FilterRegistration.Dynamic filter = context.addFilter("tenantdb-bearer-token",
                new BearerTokenFilter(configuration.adminToken().orElseThrow()));
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/api/v1/*");
        ServletRegistration.Dynamic tenants = context.addServlet("tenantdb-tenants",
                new TenantServlet(application.provisioner()));
        tenants.addMapping("/api/v1/*");
        ServletRegistration.Dynamic health = context.addServlet("tenantdb-health",
                new HealthServlet(application::controlPlaneAnswers));
        health.addMapping("/healthz");
        LOG.log(System.Logger.Level.INFO, "tenantdb provisioning deployed at {0}/api/v1/tenants",
                context.getContextPath());
    }

    /** Closes the pool; the container has stopped routing requests by now. */
    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (application != null) {
            application.close();
            application = null;
        }
    }

    private static String lookup(ServletContext context, String name) {
        String value = context.getInitParameter(name);
        if (value == null) {
            value = System.getProperty(name);
        }
        return value != null ? value : System.getenv(name);
    }
}
