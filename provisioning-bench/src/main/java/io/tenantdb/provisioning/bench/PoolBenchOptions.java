package io.tenantdb.provisioning.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of the tenant-connection benchmark ({@code pool} subcommand), parsed from its arguments.
 *
 * @param tenants  tenants provisioned before measuring, queried at random
 * @param threads  concurrent query threads
 * @param budget   {@code maxTotalConnections} of (a) {@code TenantDataSources}
 * @param rounds   measured rounds; each runs every variant once, in rotating order
 * @param warmup   unrecorded rounds before them
 * @param queries  queries per thread per variant per round
 * @param out      directory for {@code pool-bench.json} and {@code pool-latency.png}
 */
record PoolBenchOptions(int tenants, int threads, int budget, int rounds, int warmup, int queries, Path out) {

    static final String USAGE = String.join("\n",
            "usage: java -jar provisioning-bench.jar pool [--tenants 1000] [--threads 8] [--budget 20]",
            "         [--rounds 6] [--warmup 1] [--queries 250] [--out bench-results]",
            "  Provisions --tenants tenants through the application, then queries random tenants from --threads",
            "  threads through (a) TenantDataSources with a budget of --budget connections, (b) a new DriverManager",
            "  connection per query and (c) one HikariCP pool per tenant with HikariCP's defaults, interleaved;",
            "  reports p50/p99 and the peak sessions in pg_stat_activity. Deprovisions its tenants at the end.");

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException with a one-line message for an unknown option, a missing or malformed value
     */
    static PoolBenchOptions parse(List<String> arguments) {
        int tenants = 1000;
        int threads = 8;
        int budget = 20;
        int rounds = 6;
        int warmup = 1;
        int queries = 250;
        Path out = Path.of("bench-results");
        for (int i = 0; i < arguments.size(); i += 2) {
            String option = arguments.get(i);
            if (!option.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + option + "'");
            }
            if (i + 1 >= arguments.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = arguments.get(i + 1);
            switch (option) {
                case "--tenants" -> tenants = BenchOptions.number(option, value, 1);
                case "--threads" -> threads = BenchOptions.number(option, value, 1);
                case "--budget" -> budget = BenchOptions.number(option, value, 1);
                case "--rounds" -> rounds = BenchOptions.number(option, value, 1);
                case "--warmup" -> warmup = BenchOptions.number(option, value, 0);
                case "--queries" -> queries = BenchOptions.number(option, value, 1);
                case "--out" -> out = BenchOptions.path(option, value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new PoolBenchOptions(tenants, threads, budget, rounds, warmup, queries, out);
    }
}
