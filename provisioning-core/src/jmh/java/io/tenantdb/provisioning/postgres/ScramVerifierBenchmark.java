package io.tenantdb.provisioning.postgres;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The SCRAM-SHA-256 verifier {@link PostgresDatabaseCreator} computes in Java for every new role (PBKDF2 with
 * {@value ScramVerifier#ITERATIONS} iterations), the one CPU-heavy step of provisioning on our side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ScramVerifierBenchmark {

    private final SecureRandom random = new SecureRandom();

    @Benchmark
    public String verifier() {
        return ScramVerifier.of("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE", random);
    }
}
