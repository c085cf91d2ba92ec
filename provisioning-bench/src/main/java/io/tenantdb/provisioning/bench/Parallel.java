package io.tenantdb.provisioning.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Untimed set-up work, such as provisioning the tenants a measurement needs, spread over a few threads. */
final class Parallel {

    private Parallel() {
    }

    /**
     * Runs {@code count} tasks on {@code threads} threads and waits for all of them.
     *
     * @param task makes the task of each index, 0 to count − 1
     * @return the tasks' results, in index order
     * @throws ExecutionException when a task failed; the others still running are interrupted
     */
    static <T> List<T> run(int count, int threads, IntFunction<Callable<T>> task)
            throws ExecutionException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(task.apply(i)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
