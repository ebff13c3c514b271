package com.oviron.callidus.agent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the agent's components run. Each component gets an executor of its own that runs its tasks one at
 * a time, in order: the component's state lives on it (docs/architecture.md, "Threads"). {@link #own()}, the
 * agent on a unit, gives each a named thread of its own; {@link SharedAgentThreads}, the fleet simulator's,
 * runs many agents' executors on a few shared threads without changing what any of them does.
 */
public interface AgentThreads {

    /** A component's single-thread executor, named after the component ("hal-sampler", "telemetry-sync"...). */
    ScheduledExecutorService single(String name);

    /**
     * A component's single-thread executor with at most {@code capacity} tasks waiting besides the one
     * running; one more is refused with {@link java.util.concurrent.RejectedExecutionException}.
     */
    ExecutorService bounded(String name, int capacity);

    /** A thread of its own per component, as on the unit. */
    static AgentThreads own() {
        return OwnThreads.INSTANCE;
    }

    /** The agent on a unit: every component on a daemon thread of its own. */
    enum OwnThreads implements AgentThreads {
        INSTANCE;

        @Override
        public ScheduledExecutorService single(String name) {
            return Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name));
        }

        @Override
        public ExecutorService bounded(String name, int capacity) {
            return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                    r -> daemon(r, name));
        }

        private static Thread daemon(Runnable r, String name) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }
    }
}
