package io.tenantdb.provisioning.spi;

import io.tenantdb.provisioning.PostgresUrl;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The admin side of each registered server: the {@link DatabaseCreator} that makes and drops tenant databases
 * there, whether it answers, and the check of a server to register. The provisioner asks it for the creator of a
 * tenant's own server on every operation, so one creator per server (for instance one warm pool per server) can
 * stand behind it. Implementations are thread-safe.
 */
public interface ServerDirectory {

    /**
     * The creator of tenant databases on {@code server}.
     *
     * @throws SQLException when the server is not registered or its admin connection cannot be opened from the
     *                      control plane
     */
    DatabaseCreator creatorFor(String server) throws SQLException;

    /**
     * Whether the server's admin connection answers within the connect timeout. One that did not is marked
     * unhealthy and reported as not answering, without being asked, until its back-off ends.
     */
    boolean answers(String server);

    /** When this instance will ask an unhealthy server again; empty when it is not in a back-off. */
    Optional<Instant> unhealthyUntil(String server);

    /**
     * Connects to a server to register with its admin URL and reads the role's attributes.
     *
     * @return true when the role may create databases and roles (CREATEDB and CREATEROLE, or superuser)
     * @throws SQLException when the server does not answer within the connect timeout or refuses the login
     */
    boolean mayProvision(PostgresUrl adminUrl) throws SQLException;
}
