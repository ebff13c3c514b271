package com.oviron.callidus.agent;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executors of many agents in one JVM (the fleet simulator) on a few shared threads: every component of
 * every agent still gets an executor of its own that runs its tasks one at a time and in order
 * ({@link SerialScheduledExecutor}), so each agent does exactly what it does on a unit; only the threads are
 * shared. Threads: "fleet-timer" (hands due tasks over, never runs them) and "fleet-worker-N".
 *
 * <p>A component's task must not wait for another component's task: with every worker waiting, nothing would
 * run. The agent's tasks do not (the caller of {@link Agent#close()} waits, on its own thread).
 */
public final class SharedAgentThreads implements AgentThreads, AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService workers;

    /** @param workerThreads the threads every component's tasks run on */
    public SharedAgentThreads(int workerThreads) {
        if (workerThreads < 1) {
            throw new IllegalArgumentException("workerThreads must be at least 1, got " + workerThreads);
        }
        this.timer = new ScheduledThreadPoolExecutor(1, named("fleet-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.workers = Executors.newFixedThreadPool(workerThreads, named("fleet-worker"));
    }

    @Override
    public ScheduledExecutorService single(String name) {
        return new SerialScheduledExecutor(name, timer, workers, Integer.MAX_VALUE);
    }

    @Override
    public ExecutorService bounded(String name, int capacity) {
        return new SerialScheduledExecutor(name, timer, workers, capacity);
    }

    /** Stops the shared threads (after every agent on them is closed). */
    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix.equals("fleet-timer") ? prefix : prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
