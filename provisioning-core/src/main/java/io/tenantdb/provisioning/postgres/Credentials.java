package io.tenantdb.provisioning.postgres;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fresh tenant passwords, 256 bits each from {@link SecureRandom}, with their SCRAM verifiers. A verifier costs its
 * {@value ScramVerifier#ITERATIONS} PBKDF2 iterations, about a millisecond of CPU, so each call starts the next
 * credential in the background (the common fork-join pool) while the caller's statements run: one provisioning after
 * another never waits for its verifier. Each credential is handed out once. Thread-safe.
 */
final class Credentials {

    private static final int PASSWORD_BYTES = 32;

    private final SecureRandom random = new SecureRandom();
    private final AtomicReference<CompletableFuture<Credential>> ahead = new AtomicReference<>();

    /** A credential never handed out before: the one made ahead, or a new one when none is. */
    Credential next() {
        CompletableFuture<Credential> made = ahead.getAndSet(CompletableFuture.supplyAsync(this::make));
        if (made == null) {
            return make();
        }
        try {
            return made.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** The source of passwords and salts, for verifiers of passwords made elsewhere. */
    SecureRandom random() {
        return random;
    }

    private Credential make() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        random.nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new Credential(password, ScramVerifier.of(password, random));
    }

    /** A password and its verifier; {@link #toString()} shows neither. */
    record Credential(String password, String verifier) {
        @Override
        public String toString() {
            return "Credential[redacted]";
        }
    }
}
