package io.tenantdb.provisioning.internal;

import io.tenantdb.provisioning.spi.ProvisioningEvent;
import io.tenantdb.provisioning.spi.ProvisioningListener;

import java.util.List;
import java.util.Optional;

/**
 * Hands each event to several listeners in order; one that throws does not keep the event from the others, and
 * the first failure is rethrown once all have run, for the saga to log.
 */
public final class ListenerChain implements ProvisioningListener {

    private final List<ProvisioningListener> listeners;

    private ListenerChain(List<ProvisioningListener> listeners) {
        this.listeners = listeners;
    }

    /** Empty for no listener, the listener itself for one, else a chain of them. */
    public static Optional<ProvisioningListener> of(List<ProvisioningListener> listeners) {
        return switch (listeners.size()) {
            case 0 -> Optional.empty();
            case 1 -> Optional.of(listeners.get(0));
            default -> Optional.of(new ListenerChain(List.copyOf(listeners)));
        };
    }

    @Override
    public void onEvent(ProvisioningEvent event) {
        RuntimeException first = null;
        for (ProvisioningListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
