package io.tenantdb.provisioning;

import io.tenantdb.provisioning.internal.Failures;
import io.tenantdb.provisioning.spi.CipherService;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import io.tenantdb.provisioning.spi.ServerDirectory;
import io.tenantdb.provisioning.spi.ServerStore;
import io.tenantdb.provisioning.spi.ServerStore.StoredServer;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The PostgreSQL servers tenants are placed on, as the control plane records them: listing with tenant counts and
 * this instance's view of health, registration after checking the server, changes of state, weight and limit, and
 * re-encryption of the sealed admin connections after a key rotation. A server's admin URL is sealed with the
 * {@link CipherService}, bound to the server's name ({@link ServerStore#associatedData(String)}); it is never
 * returned and never logged. Immutable and thread-safe.
 */
public final class ServerRegistry {

    private static final Logger LOG = System.getLogger(ServerRegistry.class.getName());

    private final ServerStore store;
    private final ServerDirectory directory;
    private final CipherService cipher;

    /** @throws NullPointerException when an argument is null */
    public ServerRegistry(ServerStore store, ServerDirectory directory, CipherService cipher) {
        this.store = Objects.requireNonNull(store, "store");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /**
     * Lists every server by name with its tenant count and this instance's view of its health. Never a secret.
     *
     * @throws ProvisioningException when the control plane cannot be read
     */
    public List<DatabaseServer> list() {
        return Failures.call(store::servers, "listing servers").stream()
                .map(server -> server.withUnhealthyUntil(directory.unhealthyUntil(server.name())))
                .toList();
    }

    /**
     * Registers a server after checking that it answers and that its admin role may create databases and roles;
     * nothing is stored when a check fails. Tenants reach it at the registration's tenant endpoint, by default the
     * admin URL's first host and port. Registration's state is {@code active}.
     *
     * @return the server as registered
     * @throws IllegalArgumentException when the admin URL is not a PostgreSQL URL naming a user; the message never
     *                                  repeats it
     * @throws ProvisioningException    {@link ErrorCode#SERVER_UNREACHABLE}, {@link ErrorCode#SERVER_NOT_PRIVILEGED},
     *                                  {@link ErrorCode#DUPLICATE_SERVER}, or a control-plane failure
     */
    public DatabaseServer register(ServerRegistration registration) {
        Objects.requireNonNull(registration, "registration");
        PostgresUrl url = PostgresUrl.parse(registration.adminUrl());
        if (url.user().isEmpty()) {
            throw new IllegalArgumentException("names no user");
        }
        String name = registration.name();
        boolean privileged;
        try {
            privileged = directory.mayProvision(url);
        } catch (Exception e) {
            LOG.log(Level.INFO, "server {0} not registered: it did not answer ({1})", name,
                    e.getClass().getSimpleName());
            throw new ProvisioningException(ErrorCode.SERVER_UNREACHABLE, "the server did not answer");
        }
        if (!privileged) {
            LOG.log(Level.INFO, "server {0} not registered: its admin role lacks CREATEDB or CREATEROLE", name);
            throw new ProvisioningException(ErrorCode.SERVER_NOT_PRIVILEGED,
                    "the admin role lacks CREATEDB or CREATEROLE");
        }
        SealedValue sealed = Failures.call(() -> seal(name, registration.adminUrl()), "sealing the admin URL",
                ErrorCode.CRYPTO_FAILED);
        StoredServer server = new StoredServer(name, Optional.of(sealed),
                Optional.of(registration.tenantHost().orElse(url.host())),
                Optional.of(registration.tenantPort().orElse(url.port().orElse(PostgresUrl.DEFAULT_PORT))),
                registration.maxTenants(), registration.weight().orElse(1), ServerState.ACTIVE);
        if (!Failures.call(() -> store.register(server), "registering the server")) {
            throw new ProvisioningException(ErrorCode.DUPLICATE_SERVER, "a server with this name is registered");
        }
        LOG.log(Level.INFO, "server {0} registered", name);
        return find(name);
    }

    /**
     * Changes a server's state, weight or limit. Draining takes effect for every reservation that begins after
     * this returns; no tenant moves.
     *
     * @return the server as changed
     * @throws ProvisioningException {@link ErrorCode#SERVER_NOT_FOUND} when no server has this name
     */
    public DatabaseServer change(String name, ServerChange change) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(change, "change");
        if (!Failures.call(() -> store.change(name, change), "changing the server")) {
            throw new ProvisioningException(ErrorCode.SERVER_NOT_FOUND, "no such server");
        }
        LOG.log(Level.INFO, "server {0} changed: {1}", name, change);
        return find(name);
    }

    /**
     * Re-seals, with the cipher's primary key, every admin connection sealed by another key.
     *
     * @return how many were re-sealed now
     * @throws ProvisioningException {@link ErrorCode#CRYPTO_FAILED} when one does not decrypt; a control-plane
     *                               failure
     */
    public int rekey(String primaryKeyId) {
        Objects.requireNonNull(primaryKeyId, "primaryKeyId");
        int resealed = 0;
        for (DatabaseServer server : Failures.call(store::servers, "listing servers")) {
            Optional<SealedValue> stored = Failures.call(() -> store.find(server.name()), "reading a server")
                    .flatMap(StoredServer::adminSealed).filter(sealed -> !sealed.keyId().equals(primaryKeyId));
            if (stored.isEmpty()) {
                continue;
            }
            SealedValue next = Failures.call(() -> seal(server.name(), new String(cipher.decrypt(
                    stored.get().value(), ServerStore.associatedData(server.name())), StandardCharsets.UTF_8)),
                    "re-sealing a server's admin URL", ErrorCode.CRYPTO_FAILED);
            if (Failures.call(() -> store.replaceSecret(server.name(), stored.get().value(), next),
                    "storing a re-sealed admin URL")) {
                resealed++;
            }
        }
        return resealed;
    }

    private SealedValue seal(String name, String adminUrl) throws GeneralSecurityException {
        return cipher.encrypt(adminUrl.getBytes(StandardCharsets.UTF_8), ServerStore.associatedData(name));
    }

    private DatabaseServer find(String name) {
        return list().stream().filter(server -> server.name().equals(name)).findFirst()
                .orElseThrow(() -> new ProvisioningException(ErrorCode.SERVER_NOT_FOUND, "no such server"));
    }
}
