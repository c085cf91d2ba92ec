package io.tenantdb.provisioning.example;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;

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
 * the port. Registers the {@link ApiRoutes} relative to the context path. A configuration
 * error is logged as one line naming the variable and fails the deployment with the same message.
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
        Configuration.misspelledVariables(System.getenv().keySet())
                .forEach(warning -> LOG.log(System.Logger.Level.WARNING, warning));
        Configuration configuration;
        try {
            configuration = Configuration.from(name -> lookup(context, name));
        } catch (Configuration.Invalid e) {
            throw refused("configuration error: " + e.getMessage(), null);
        }
        Configuration.Database admin = configuration.database().orElseThrow(() -> refused(
                "configuration error: DATABASE_URL is required when deployed as a WAR", null));
        try {
            application = ProvisioningApplication.start(configuration, admin,
                    configuration.encryptionKey().orElseThrow());
            application.startMaintenance(configuration.timeouts().reconcileInterval());
        } catch (SQLException e) {
            throw refused("cannot start: " + Failures.describe(e), e);
        }

        String adminToken = configuration.adminToken().orElseThrow();
        ApiRoutes.register(context, application, adminToken, configuration.metricsToken().orElse(adminToken),
                configuration.accessLog());
        LOG.log(System.Logger.Level.INFO, "tenantdb provisioning deployed at {0}/api/v1/tenants",
                context.getContextPath());
    }

    /**
     * Closes the pool, then deregisters the JDBC drivers this web application's class loader registered (the
     * PostgreSQL driver in WEB-INF/lib), which would otherwise pin the undeployed application in memory; the
     * container has stopped routing requests by now.
     */
    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (application != null) {
            application.close();
            application = null;
        }
        ClassLoader own = WebApplicationListener.class.getClassLoader();
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == own) {
                try {
                    DriverManager.deregisterDriver(driver);
                } catch (SQLException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not deregister {0}: {1}",
                            driver.getClass().getName(), e.getClass().getSimpleName());
                }
            }
        }
    }

    /** Logs the reason as one plain line (not only inside a stack trace), then fails the deployment with it. */
    private static IllegalStateException refused(String line, Exception cause) {
        LOG.log(System.Logger.Level.ERROR, line);
        return new IllegalStateException(line, cause);
    }

    private static String lookup(ServletContext context, String name) {
        String value = context.getInitParameter(name);
        if (value == null) {
            value = System.getProperty(name);
        }
        return value != null ? value : System.getenv(name);
    }
}
