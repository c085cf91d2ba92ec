package io.tenantdb.provisioning.example;

import java.util.Map;

/** The text of {@code --help}: commands, their options and the environment variables. */
final class Help {

    private static final Map<String, String> COMMANDS = Map.of(
            "serve", """
                      serve                     the HTTP API (the default command); reconciles at start and every
                                                RECONCILE_INTERVAL_SECONDS; SIGTERM or Ctrl-C drains requests in
                                                flight (up to 30 s) and exits 0
                    """,
            "reconcile", """
                      reconcile [--dry-run]     one reconciler pass: rolls back abandoned provisionings, finishes
                                                interrupted deletions, drops this control plane's orphans; prints
                                                what it did (--dry-run: would do). Exits 1 on drift (active tenants
                                                whose database or role is missing) or when a change failed
                    """,
            "rekey", """
                      rekey [--batch-size N]    re-encrypts every stored connection string with ENCRYPTION_KEY,
                                                N (1-1000, default 100) per batch; exits 1 if one cannot be decrypted
                    """,
            "migrate", """
                      migrate [--parallelism N] [--canary N] [--dry-run]
                                                brings every active tenant to the latest TENANT_MIGRATIONS, N
                                                (1-64, default 4) at a time; --canary N: N tenants first, stop if
                                                one fails; --dry-run: print what is pending per tenant. Exits 1
                                                naming each failed tenant and version, or when one is left behind
                    """);

    private static final String VARIABLES = """
            Environment (details: docs/configuration.md):
              DATABASE_URL                    admin connection, postgresql://USER:PASSWORD@HOST:PORT/DB or
                                              jdbc:postgresql://...; unset: an embedded PostgreSQL in
                                              PROVISIONING_DATA_DIR
              ENCRYPTION_KEY                  base64 of 32 random bytes (openssl rand -base64 32); required with
                                              DATABASE_URL
              ENCRYPTION_KEYS_PREVIOUS        comma-separated older keys that still decrypt
              ADMIN_TOKEN                     bearer token of /api/v1/*, at least 16 characters; required with
                                              DATABASE_URL
              PORT                            HTTP port, 0 for any free one (default 8080)
              PROVISIONING_DATA_DIR           embedded mode's directory (default ./provisioning-data)
              DATABASE_PREFIX                 prefix of tenant database and role names (default car_)
              TENANT_DB_HOST, TENANT_DB_PORT  endpoint written into tenants' connection strings
              TENANT_DB_SSLMODE               sslmode of tenant connection strings (disable ... verify-full)
              TENANT_DB_SSLROOTCERT           CA file the verifier trusts (with verify-ca or verify-full)
              TENANT_CONNECTION_LIMIT         CONNECTION LIMIT of each new tenant role, -1 unlimited (default 20)
              DB_CONNECT_TIMEOUT_SECONDS      default 5
              DB_STATEMENT_TIMEOUT_SECONDS    default 60
              PROVISIONING_LEASE_SECONDS      default 120
              RECONCILE_INTERVAL_SECONDS      0: only at start (default 60)
              IDEMPOTENCY_KEY_RETENTION_HOURS default 24
              ACCESS_LOG                      on or off: one log line per HTTP request (default on)
              TENANT_MIGRATIONS               directory of Flyway SQL migrations (V1__items.sql, ...) applied to
                                              every new tenant and by migrate; read at each provisioning
              METRICS_TOKEN                   bearer token of GET /metrics, at least 16 characters
                                              (default: ADMIN_TOKEN)
              WARM_POOL_SIZE                  tenant databases kept ready ahead of demand, 0-1000 (default 0: off)

            Exit codes: 0 success (also serve stopped by SIGTERM or Ctrl-C); 1 start-up or command failure, reconcile
            drift, a tenant migrate left behind; 2 usage or configuration error (one line naming the variable).
            """;

    private Help() {
    }

    /** Everything. */
    static String text() {
        return "usage: java -jar provisioning-example.jar [command] [options]\n\nCommands:\n"
                + COMMANDS.get("serve") + COMMANDS.get("reconcile") + COMMANDS.get("rekey") + COMMANDS.get("migrate")
                + "  help, --help, -h          this text; <command> --help shows one command\n"
                + "  (the benchmark is java -jar provisioning-bench/target/provisioning-bench.jar,"
                + " docs/performance.md)\n\n"
                + VARIABLES;
    }

    /** One command and the variables. */
    static String command(String name) {
        return "usage: java -jar provisioning-example.jar " + name + " [options]\n\n" + COMMANDS.get(name) + "\n"
                + VARIABLES;
    }
}
