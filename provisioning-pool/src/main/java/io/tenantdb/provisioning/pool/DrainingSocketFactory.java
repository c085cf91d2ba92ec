package io.tenantdb.provisioning.pool;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * The pgjdbc {@code socketFactory} of tenant pools (pgjdbc instantiates it by class name; not meant for direct use).
 * Its sockets' {@code close()} half-closes, then reads until the server closes its side, bounded by five seconds.
 * PostgreSQL clears a backend's {@code pg_stat_activity} entry before it closes its socket, so when {@code close()}
 * returns the server no longer counts the session: a budget permit released after it can be reused without the
 * server ever seeing one session more than the budget. Stateless and thread-safe.
 */
public final class DrainingSocketFactory extends SocketFactory {

    private static final int DRAIN_MILLIS = 5_000;

    /** Called by pgjdbc. */
    public DrainingSocketFactory() {
    }

    @Override
    public Socket createSocket() {
        return new DrainingSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localHost, localPort));
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localAddress, localPort));
        socket.connect(new InetSocketAddress(address, port));
        return socket;
    }

    private static final class DrainingSocket extends Socket {

        @Override
        public synchronized void close() throws IOException {
            if (isClosed()) {
                return;
            }
            try {
                if (isConnected() && !isInputShutdown()) {
                    if (!isOutputShutdown()) {
                        shutdownOutput();
                    }
                    setSoTimeout(DRAIN_MILLIS);
                    InputStream in = getInputStream();
                    byte[] discarded = new byte[512];
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
                    while (in.read(discarded) >= 0 && System.nanoTime() < deadline) {
                        // What the server still sends after our Terminate is of no use.
                    }
                }
            } catch (IOException serverGoneOrSilent) {
                // Reset by the server, or it did not close within the bound: close our side regardless.
            } finally {
                super.close();
            }
        }
    }
}
