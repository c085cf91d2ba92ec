package io.tenantdb.provisioning.servlet;

import io.tenantdb.provisioning.ConnectionDetails;
import io.tenantdb.provisioning.spi.ConnectionVerifier;

import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A verifier that, once {@link #hold()} is called, keeps the next provisioning inside its verify step until
 * {@link #release()}: a request that is really still running, for the {@code REQUEST_IN_PROGRESS} cases. The hold
 * ends on its own after 10 s so a forgotten release cannot hang the build. Thread-safe.
 */
final class HeldVerifier implements ConnectionVerifier {

    private final ConnectionVerifier delegate;
    private volatile CountDownLatch entered = new CountDownLatch(0);
    private volatile CountDownLatch released = new CountDownLatch(0);

    HeldVerifier(ConnectionVerifier delegate) {
        this.delegate = delegate;
    }

    void hold() {
        entered = new CountDownLatch(1);
        released = new CountDownLatch(1);
    }

    /** Waits until a provisioning is held in its verify step. */
    void awaitHeld() throws InterruptedException {
        if (!entered.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no provisioning reached its verify step");
        }
    }

    void release() {
        released.countDown();
    }

    @Override
    public String verify(ConnectionDetails details) throws SQLException {
        entered.countDown();
        try {
            released.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while held", "57014", e);
        }
        return delegate.verify(details);
    }
}
