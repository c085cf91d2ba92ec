package io.tenantdb.provisioning.crypto;

import io.tenantdb.provisioning.internal.ConnectionStringSealer;
import io.tenantdb.provisioning.spi.CipherService.SealedValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Sealing and opening one tenant connection string, as the saga and operational tooling do. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AesGcmCipherBenchmark {

    private AesGcmCipherService cipher;
    private byte[] plaintext;
    private byte[] associatedData;
    private String sealed;

    @Setup
    public void setUp() throws GeneralSecurityException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        cipher = new AesGcmCipherService(EncryptionKey.of(key), List.of());
        UUID tenant = UUID.randomUUID();
        String database = "car_" + tenant.toString().replace('-', '_');
        // The shape of a real connection string: a 43-character password and a 40-character role and database.
        plaintext = ("postgresql://" + database + ":AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE@db.example.com:5432/"
                + database).getBytes(StandardCharsets.UTF_8);
        associatedData = ConnectionStringSealer.associatedData(tenant);
        sealed = cipher.encrypt(plaintext, associatedData).value();
    }

    @Benchmark
    public SealedValue encrypt() throws GeneralSecurityException {
        return cipher.encrypt(plaintext, associatedData);
    }

    @Benchmark
    public byte[] decrypt() throws GeneralSecurityException {
        return cipher.decrypt(sealed, associatedData);
    }
}
