package io.tenantdb.provisioning.example;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reconciler once at start and then every interval on a daemon thread, so a crash of this or another
 * instance never leaves a half-created tenant behind for long. A failing pass is logged and retried next time. Each
 * pass reports drift (active tenants whose database or role is gone), which the reconciler logs at WARNING.
 */
final class Maintenance implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Maintenance.class.getName());

    private final ScheduledExecutorService scheduler;

    private Maintenance(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs one pass now, then every {@code interval} unless it is zero. */
    static Maintenance start(ProvisioningApplication application, Duration interval) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "tenantdb-reconciler");
            thread.setDaemon(true);
            return thread;
        });
        Runnable pass = () -> pass(application);
        pass.run();
        if (!interval.isZero()) {
            scheduler.scheduleWithFixedDelay(pass, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return new Maintenance(scheduler);
    }

    private static void pass(ProvisioningApplication application) {
        try {
            // The reconciler logs its own summary, and drift once more at WARNING.
            application.reconcile(false);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "reconcile failed, retrying next interval: {0}", Failures.describe(e));
        }
    }

    /** Stops scheduling and waits briefly for a running pass. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
