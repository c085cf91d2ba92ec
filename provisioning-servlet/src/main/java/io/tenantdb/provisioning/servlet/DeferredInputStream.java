package io.tenantdb.provisioning.servlet;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the request body only when it is first read. A container answers {@code Expect: 100-continue} when the
 * servlet asks for the body, so a request refused before reading (a declared length over the cap, a wrong content
 * type) never invites the client to send it. Not thread-safe, like the stream it wraps.
 */
final class DeferredInputStream extends InputStream {

    private final Opener opener;
    private InputStream body;

    DeferredInputStream(Opener opener) {
        this.opener = opener;
    }

    @Override
    public int read() throws IOException {
        return body().read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        return body().read(buffer, offset, length);
    }

    @Override
    public void close() throws IOException {
        if (body != null) {
            body.close();
        }
    }

    private InputStream body() throws IOException {
        if (body == null) {
            body = opener.open();
        }
        return body;
    }

    /** Opens the real stream, e.g. {@code request::getInputStream}. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }
}
