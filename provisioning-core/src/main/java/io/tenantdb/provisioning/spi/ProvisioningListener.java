package io.tenantdb.provisioning.spi;

/**
 * Optional: observes the tenant lifecycle, for metrics and audit. Called synchronously on the provisioning thread,
 * so it must be fast and thread-safe; an exception it throws is logged and otherwise ignored. Events carry ids,
 * steps, durations and error codes — never a secret.
 */
@FunctionalInterface
public interface ProvisioningListener {

    /** Receives one event. */
    void onEvent(ProvisioningEvent event);
}
