package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.DatabaseServer;
import io.tenantdb.provisioning.Environment;
import io.tenantdb.provisioning.ErrorCode;
import io.tenantdb.provisioning.ProvisioningException;
import io.tenantdb.provisioning.ServerChange;
import io.tenantdb.provisioning.ServerRegistration;
import io.tenantdb.provisioning.ServerRegistry;
import io.tenantdb.provisioning.ServerState;
import io.tenantdb.provisioning.Tenant;
import io.tenantdb.provisioning.TenantProvisioner;
import io.tenantdb.provisioning.TenantRequest;
import io.tenantdb.provisioning.spi.PlacementPolicy;
import io.tenantdb.provisioning.testing.InMemoryProvisioning;
import io.tenantdb.provisioning.testing.InMemoryServerDirectory;
import io.tenantdb.provisioning.testing.InMemoryServerStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Placement and per-server operations of the saga, on the in-memory fakes. */
class ServerPlacementTest {

    private final InMemoryProvisioning fakes = new InMemoryProvisioning();
    private final InMemoryServerStore servers = new InMemoryServerStore(fakes.store);
    private final InMemoryServerDirectory directory = new InMemoryServerDirectory();
    private final ServerRegistry registry = new ServerRegistry(servers, directory, fakes.cipher);

    @Test
    void weightedLeastLoadedFillsInProportionToTheWeights() {
        register("second", 3);
        TenantProvisioner provisioner = provisioner(PlacementPolicy.weightedLeastLoaded());

        for (int i = 0; i < 40; i++) {
            provisioner.provision(request("tenant " + i));
        }

        assertThat(registry.list()).extracting(DatabaseServer::tenants).containsExactly(10, 30);
        assertThat(directory.creator("second").databases()).hasSize(30);
    }

    @Test
    void aServerThatDoesNotAnswerIsSkippedAndShownUnhealthy() {
        register("second", 10);
        directory.down.add("second");

        Tenant tenant = provisioner(PlacementPolicy.weightedLeastLoaded()).provision(request("elsewhere"));

        assertThat(tenant.server()).isEqualTo(DatabaseServer.DEFAULT);
        assertThat(directory.creator("second").databases()).isEmpty();
        assertThat(registry.list().get(1).healthy()).isFalse();
    }

    @Test
    void noServerWithRoomIsNoCapacityAndWritesNothing() {
        registry.change(DatabaseServer.DEFAULT, new ServerChange(Optional.of(ServerState.DRAINING),
                Optional.empty(), Optional.empty()));

        assertThatThrownBy(() -> provisioner(PlacementPolicy.weightedLeastLoaded()).provision(request("nowhere")))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY));
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void aNameTakenIsADuplicateWhicheverServerTheTenantWouldGoTo() {
        register("second", 1);
        TenantProvisioner provisioner = provisioner(PlacementPolicy.weightedLeastLoaded());
        provisioner.provision(new TenantRequest("Acme", Environment.PRODUCTION));

        assertThatThrownBy(() -> provisioner.provision(new TenantRequest("ACME", Environment.PRODUCTION)))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DUPLICATE_TENANT));
        assertThat(fakes.store.tenants()).hasSize(1);
    }

    @Test
    void aPolicyThatChoosesAServerItWasNotOfferedFailsTheReservation() {
        DatabaseServer invented = new DatabaseServer("invented", ServerState.ACTIVE, 1, Optional.empty(),
                Optional.empty(), Optional.empty(), 0, Optional.empty());

        assertThatThrownBy(() -> provisioner(candidates -> Optional.of(invented)).provision(request("x")))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESERVE_FAILED));
        assertThat(fakes.store.tenants()).isEmpty();
    }

    @Test
    void rotationAndDeletionUseTheTenantsOwnServer() {
        register("second", 1);
        TenantProvisioner provisioner = provisioner(candidates -> candidates.stream()
                .filter(server -> server.name().equals("second")).findFirst());
        Tenant tenant = provisioner.provision(request("on second"));

        provisioner.rotateCredentials(tenant.id());
        provisioner.deprovision(tenant.id());

        assertThat(directory.creator("second").databases()).isEmpty();
        assertThat(directory.creator(DatabaseServer.DEFAULT).databases()).isEmpty();
    }

    @Test
    void theBuilderTakesEitherOneCreatorOrTheServers() {
        TenantProvisioner.Builder both = fakes.builder().servers(servers, directory);

        assertThatThrownBy(both::build).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TenantProvisioner.builder().connectionVerifier(fakes.verifier)
                .cipherService(fakes.cipher).tenantStore(fakes.store).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("databaseCreator");
    }

    private TenantProvisioner provisioner(PlacementPolicy policy) {
        List<String> names = List.of(DatabaseServer.DEFAULT, "second");
        return TenantProvisioner.builder().servers(servers, directory).placementPolicy(policy)
                .connectionVerifier(details -> names.stream().anyMatch(name ->
                        directory.creator(name).accepts(details)) ? "PostgreSQL (in memory)" : fail())
                .cipherService(fakes.cipher).tenantStore(fakes.store).build();
    }

    private static String fail() throws java.sql.SQLException {
        throw new java.sql.SQLException("password authentication failed", "28P01");
    }

    private void register(String name, int weight) {
        registry.register(new ServerRegistration(name, "postgresql://admin:pw@" + name + ".internal/postgres",
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(weight)));
    }

    private static TenantRequest request(String name) {
        return new TenantRequest(name, Environment.PRODUCTION);
    }
}
