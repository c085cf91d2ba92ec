package io.tenantdb.provisioning.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Provisionings released together: every task is submitted, each waits until all have started, then all go at
 * once and each is timed on its own. Stateless.
 */
final class Burst {

    private Burst() {
    }

    /** One provisioning of a burst; {@code index} is its place, 0 to count − 1. */
    @FunctionalInterface
    interface Task {
        Provisioned run(int index) throws Exception;
    }

    /**
     * What a burst did.
     *
     * @param latencies nanoseconds of each provisioning that succeeded
     * @param created   what those created, to be removed
     * @param failures  why the others failed
     * @param wallNanos from the release to the last answer
     */
    record Result(List<Long> latencies, List<Provisioned> created, List<Throwable> failures, long wallNanos) {
        Result {
            latencies = List.copyOf(latencies);
            created = List.copyOf(created);
            failures = List.copyOf(failures);
        }
    }

    /** Runs {@code count} tasks on {@code workers}, which must have at least {@code count} threads. */
    static Result run(ExecutorService workers, int count, Task task) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Timed>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            futures.add(workers.submit(() -> {
                ready.countDown();
                go.await();
                long started = System.nanoTime();
                Provisioned created = task.run(index);
                return new Timed(System.nanoTime() - started, created);
            }));
        }
        ready.await();
        long started = System.nanoTime();
        go.countDown();
        List<Long> latencies = new ArrayList<>();
        List<Provisioned> created = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (Future<Timed> future : futures) {
            try {
                Timed timed = future.get();
                latencies.add(timed.nanos());
                created.add(timed.created());
            } catch (ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        return new Result(latencies, created, failures, System.nanoTime() - started);
    }

    private record Timed(long nanos, Provisioned created) {
    }
}
