package io.tenantdb.provisioning.pool;

import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.testing.PostgresExtension;
import io.tenantdb.provisioning.testing.TestPostgres;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class HibernateIsolationTest {

    @Test
    void eachTenantSeesOnlyTheRowsPersistedInItsOwnDatabase(TestPostgres postgres) throws Exception {
        try (PoolTestbed bed = new PoolTestbed(postgres);
             TenantDataSources sources = TenantDataSources.builder(bed.connections).build()) {
            List<Tenant> tenants = bed.provision(2, 2);
            for (Tenant tenant : tenants) {
                try (Connection connection = sources.dataSource(tenant.id()).getConnection();
                     Statement statement = connection.createStatement()) {
                    statement.execute("CREATE TABLE note (id bigint PRIMARY KEY, text text NOT NULL)");
                }
            }
            Configuration configuration = new Configuration().addAnnotatedClass(Note.class);
            configuration.getProperties().put(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER,
                    new HibernateConnectionProvider(sources, postgres.dataSource(bed.controlDatabase)));
            try (SessionFactory factory = configuration.buildSessionFactory()) {
                Tenant acme = tenants.get(0);
                Tenant globex = tenants.get(1);
                persist(factory, acme, new Note(1, "acme's note"));
                persist(factory, globex, new Note(1, "globex's note"));

                assertThat(texts(factory, acme)).containsExactly("acme's note");
                assertThat(texts(factory, globex)).containsExactly("globex's note");
            }
        }
    }

    private static void persist(SessionFactory factory, Tenant tenant, Note note) {
        try (Session session = factory.withOptions().tenantIdentifier(tenant.id()).openSession()) {
            session.getTransaction().begin();
            session.persist(note);
            session.getTransaction().commit();
        }
    }

    private static List<String> texts(SessionFactory factory, Tenant tenant) {
        try (Session session = factory.withOptions().tenantIdentifier(tenant.id()).openSession()) {
            return session.createSelectionQuery("select n.text from Note n", String.class).getResultList();
        }
    }

    @Entity(name = "Note")
    static class Note {
        @Id
        long id;
        String text;

        Note() {
        }

        Note(long id, String text) {
            this.id = id;
            this.text = text;
        }
    }
}
