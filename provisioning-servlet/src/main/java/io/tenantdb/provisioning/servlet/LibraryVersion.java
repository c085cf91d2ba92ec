package io.tenantdb.provisioning.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The tenantdb version this module was built as, from a resource the build writes. Immutable. */
final class LibraryVersion {

    /** The version, such as {@code 0.1.0}; {@code unknown} when the resource is missing (an unfiltered build). */
    static final String VALUE = read();

    private LibraryVersion() {
    }

    private static String read() {
        try (InputStream in = LibraryVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
