package io.tenantdb.provisioning.bench;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The options of the benchmark, parsed from its arguments. {@code --quick} only changes defaults: an explicit
 * option wins wherever it stands.
 *
 * @param concurrency       worker counts of the concurrency sweep, e.g. {@code 1,2,4,8}
 * @param iterations        measured rounds per concurrency level; each round provisions {@code concurrency}
 *                          tenants per workload
 * @param jitWarmup         unmeasured rounds at concurrency 1 before the first measurement, for the JIT
 * @param httpWarmup        requests through the HTTP stack that end before any database write, sent before the
 *                          warm-up rounds (see {@link HttpWorkload#warmUpStack})
 * @param warmup            unmeasured rounds before each level
 * @param existing          existing tenant databases for the cost-growth runs, ascending, e.g. {@code 0,500,2000}
 * @param growthConcurrency concurrency of the cost-growth runs
 * @param out               directory for the CSV, JSON and PNG files
 * @param dataDirectory     embedded mode only: where the throwaway cluster lives; empty for a temp directory
 * @param memoryCheck       provisions to send to a child {@code serve} process before reading its resident
 *                          memory; 0 skips the check
 * @param childJvmOptions   JVM options of that child process
 */
record BenchOptions(List<Integer> concurrency, int iterations, int jitWarmup, int httpWarmup, int warmup,
                    List<Integer> existing, int growthConcurrency, Path out, Optional<Path> dataDirectory,
                    int memoryCheck, List<String> childJvmOptions) {

    static final String USAGE = String.join("\n",
            "usage: java -jar provisioning-bench.jar [--quick] [--concurrency 1,2,4,8] [--iterations N]",
            "         [--jit-warmup N] [--http-warmup N] [--warmup N] [--existing 0,500,2000]",
            "         [--growth-concurrency N] [--out DIR]",
            "         [--data-dir DIR] [--memory-check N] [--child-jvm-options \"-Xmx128m ...\"]",
            "  Measures (a) the plain-JDBC floor, (b) TenantProvisioner in-process and (c) POST /api/v1/tenants,",
            "  interleaved, against DATABASE_URL or a throwaway embedded PostgreSQL. Removes every database and role",
            "  it creates (its tenants stay in the control plane as deleted tombstones).",
            "  --quick  small numbers: --concurrency 1,2 --iterations 5 --jit-warmup 5 --http-warmup 100 --warmup 1",
            "           --existing 0,20",
            "  java -jar provisioning-bench.jar pool --help: the tenant-connection benchmark");

    BenchOptions {
        concurrency = List.copyOf(concurrency);
        existing = List.copyOf(existing);
        childJvmOptions = List.copyOf(childJvmOptions);
    }

    /**
     * Parses the benchmark's arguments.
     *
     * @throws IllegalArgumentException with a one-line message for an unknown option, a missing or malformed value
     */
    static BenchOptions parse(List<String> arguments) {
        boolean quick = arguments.contains("--quick");
        List<Integer> concurrency = quick ? List.of(1, 2) : List.of(1, 2, 4, 8);
        int iterations = quick ? 5 : 20;
        int jitWarmup = quick ? 5 : 30;
        int httpWarmup = quick ? 100 : 4000;
        int warmup = quick ? 1 : 3;
        List<Integer> existing = quick ? List.of(0, 20) : List.of(0, 500, 2000);
        int growthConcurrency = 1;
        Path out = Path.of("bench-results");
        Optional<Path> dataDirectory = Optional.empty();
        int memoryCheck = 0;
        List<String> childJvmOptions = List.of();
        for (int i = 0; i < arguments.size(); i++) {
            String option = arguments.get(i);
            if (option.equals("--quick")) {
                continue;
            }
            if (!option.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + option + "'");
            }
            if (i + 1 >= arguments.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = arguments.get(++i);
            switch (option) {
                case "--concurrency" -> concurrency = positiveList(option, value, 1);
                case "--iterations" -> iterations = number(option, value, 1);
                case "--jit-warmup" -> jitWarmup = number(option, value, 0);
                case "--http-warmup" -> httpWarmup = number(option, value, 0);
                case "--warmup" -> warmup = number(option, value, 0);
                case "--existing" -> existing = positiveList(option, value, 0);
                case "--growth-concurrency" -> growthConcurrency = number(option, value, 1);
                case "--out" -> out = path(option, value);
                case "--data-dir" -> dataDirectory = Optional.of(path(option, value));
                case "--memory-check" -> memoryCheck = number(option, value, 0);
                case "--child-jvm-options" -> childJvmOptions = value.isBlank() ? List.of()
                        : List.of(value.strip().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new BenchOptions(concurrency, iterations, jitWarmup, httpWarmup, warmup, existing, growthConcurrency,
                out, dataDirectory, memoryCheck, childJvmOptions);
    }

    static int number(String option, String value, int min) {
        int number;
        try {
            number = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
        }
        if (number < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + number);
        }
        return number;
    }

    /** A comma-separated list of distinct numbers, returned in ascending order. */
    private static List<Integer> positiveList(String option, String value, int min) {
        TreeSet<Integer> numbers = new TreeSet<>();
        for (String part : value.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException(option + " has an empty entry in '" + value + "'");
            }
            numbers.add(number(option, part, min));
        }
        return new ArrayList<>(numbers);
    }

    static Path path(String option, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(option + " is not a valid path");
        }
    }
}
