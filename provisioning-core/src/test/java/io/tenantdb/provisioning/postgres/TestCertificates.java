package io.tenantdb.provisioning.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A throw-away certificate authority and a server certificate it signed for {@code DNS:localhost} only, made with
 * the JDK's {@code keytool} (no OpenSSL needed), as PEM files PostgreSQL and pgjdbc read.
 *
 * @param caCertificate     the CA's certificate, for {@code sslrootcert}
 * @param serverCertificate the server's certificate, for {@code ssl_cert_file}
 * @param serverKey         the server's unencrypted PKCS#8 private key, {@code rw-------}, for {@code ssl_key_file}
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {

    private static final String PASSWORD = "test-only";

    /** Creates the three files in {@code directory}. */
    public static TestCertificates create(Path directory) throws IOException, InterruptedException {
        Path ca = directory.resolve("ca.p12");
        Path server = directory.resolve("server.p12");
        Path request = directory.resolve("server.csr");
        TestCertificates files = new TestCertificates(directory.resolve("ca.pem"), directory.resolve("server.pem"),
                directory.resolve("server.key"));
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=tenantdb test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", server.toString());
        keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
                "-outfile", files.serverCertificate.toString(), "-rfc", "-validity", "2", "-ext", "san=dns:localhost",
                "-ext", "ku:c=digitalSignature,keyEncipherment", "-ext", "eku=serverAuth");
        keytool("-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-rfc",
                "-file", files.caCertificate.toString());
        writePrivateKey(server, files.serverKey);
        return files;
    }

    private static void writePrivateKey(Path keyStore, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            Key key = store.getKey("server", PASSWORD.toCharArray());
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            // PostgreSQL refuses a key file that group or others may read.
            Files.createFile(target,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(target, pem, StandardCharsets.US_ASCII);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("reading the generated server key failed", e);
        }
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("keytool " + arguments[0] + " failed: " + output);
        }
    }
}
