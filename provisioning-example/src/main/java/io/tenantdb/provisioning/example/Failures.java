package io.tenantdb.provisioning.example;

/** Turns a start-up failure into one line for an operator; shared by the example's commands and the bench. */
public final class Failures {

    private Failures() {
    }

    /**
     * Each exception's simple type and message down the cause chain, on one line. Fit for start-up failures only:
     * their messages come from the JDK, the JDBC driver, Jetty and this module, none of which include passwords
     * ({@link io.tenantdb.provisioning.PostgresUrl#toString()} redacts its own).
     */
    public static String describe(Throwable failure) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (line.length() > 0) {
                line.append("; caused by ");
            }
            line.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                line.append(": ").append(t.getMessage().replace('\n', ' ').replace('\r', ' '));
            }
        }
        return line.toString();
    }
}
