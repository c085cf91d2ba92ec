package io.tenantdb.provisioning.example;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT (Ctrl-C) into a clean stop of {@code serve}: the application drains and closes, and
 * {@code main} returns and exits with 0, as a supervisor expects of a requested stop. The JVM's own handling
 * would run the same clean-up from a shutdown hook but exit with 143 or 130. A second signal of the same kind
 * ends the process at once, the JVM's default.
 *
 * <p>Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in every OpenJDK); where a signal cannot
 * be handled (for instance under {@code -Xrs}) the JVM's default and the shutdown hook remain.
 */
final class StopSignals {

    private static final System.Logger LOG = System.getLogger(StopSignals.class.getName());

    private StopSignals() {
    }

    static void install(ExampleApplication application) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    Signal.handle(signal, sun.misc.SignalHandler.SIG_DFL);
                    LOG.log(System.Logger.Level.INFO, "SIG{0}: draining requests in flight, then stopping", name);
                    // Not on the signal's own thread: draining takes up to the drain timeout.
                    Thread stop = new Thread(application::close, "tenantdb-stop");
                    stop.start();
                });
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot handle SIG{0}; the JVM default applies", name);
            }
        }
    }
}
