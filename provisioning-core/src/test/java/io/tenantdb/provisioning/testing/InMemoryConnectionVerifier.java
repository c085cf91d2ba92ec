package io.tenantdb.provisioning.testing;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.spi.ConnectionVerifier;

import java.sql.SQLException;

/**
 * A {@link ConnectionVerifier} that accepts exactly the credentials an {@link InMemoryDatabaseCreator} handed
 * out. Operation {@code "verify"} can be failed through {@link #faults()}.
 */
public final class InMemoryConnectionVerifier implements ConnectionVerifier {

    private final InMemoryDatabaseCreator creator;
    private final Faults faults = new Faults();

    public InMemoryConnectionVerifier(InMemoryDatabaseCreator creator) {
        this.creator = creator;
    }

    public Faults faults() {
        return faults;
    }

    @Override
    public String verify(ConnectionDetails details) throws SQLException {
        faults.check("verify");
        if (!creator.accepts(details)) {
            throw new SQLException("password authentication failed", "28P01");
        }
        return "PostgreSQL (in memory)";
    }
}
