package com.oviron.callidus.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * One component's executor on threads it shares with others: its tasks run one at a time, in the order
 * they were handed over, as on a single-thread executor of its own, but on whichever thread of the shared
 * pool is free. A shared timer only hands delayed and periodic tasks over when they are due. Used by the fleet
 * simulator, where thousands of agents in one JVM cannot each have their own threads
 * ({@link SharedAgentThreads}); a unit on its controller never uses it.
 *
 * <p>Differences from {@code Executors.newSingleThreadScheduledExecutor}, none of which the agent relies on:
 * {@link #shutdown()} cancels delayed tasks not yet due (the JDK's runs them); {@link #shutdownNow()} does not
 * interrupt a running task (the thread belongs to the pool); a task that leaves its thread's interrupt flag set
 * has it cleared before the next task runs. After 64 tasks in a row the thread is handed back to the pool, so
 * one busy component cannot keep a shared thread from the others.
 */
final class SerialScheduledExecutor extends AbstractExecutorService implements ScheduledExecutorService {
    private static final int TASKS_PER_TURN = 64;

    private final String name;
    private final ScheduledExecutorService timer;
    private final Executor workers;
    private final int capacity;

    private final Object lock = new Object();
    // guarded by lock
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final Set<Scheduled<?>> scheduled = new HashSet<>();
    private boolean active;
    private boolean shutdown;

    /**
     * @param name     the component, for errors and logs
     * @param timer    the shared timer; it only hands tasks over
     * @param workers  the shared threads the tasks run on
     * @param capacity most tasks waiting (not counting the one running); one more is rejected with
     *                 {@link RejectedExecutionException}
     */
    SerialScheduledExecutor(String name, ScheduledExecutorService timer, Executor workers, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.name = name;
        this.timer = timer;
        this.workers = workers;
        this.capacity = capacity;
    }

    @Override
    public void execute(Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException(name + " is shut down");
            }
            if (queue.size() >= capacity) {
                throw new RejectedExecutionException(name + " has " + capacity + " tasks waiting");
            }
            queue.add(task);
            if (active) {
                return;
            }
            active = true;
        }
        handToWorkers();
    }

    private void handToWorkers() {
        try {
            workers.execute(this::runTurn);
        } catch (RejectedExecutionException e) {
            // the shared pool is gone: nothing here will ever run
            synchronized (lock) {
                shutdown = true;
                queue.clear();
                active = false;
                lock.notifyAll();
            }
            throw new RejectedExecutionException(name + ": the shared threads are shut down", e);
        }
    }

    private void runTurn() {
        for (int i = 0; i < TASKS_PER_TURN; i++) {
            Runnable next;
            synchronized (lock) {
                next = queue.poll();
                if (next == null) {
                    active = false;
                    lock.notifyAll();
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                Logger.error(e, "task failed executor={}", name);
            } finally {
                Thread.interrupted(); // the thread goes on to other components' tasks
            }
        }
        try {
            handToWorkers(); // more is waiting: queue up behind the other components
        } catch (RejectedExecutionException e) {
            Logger.debug("executor stopped with tasks waiting executor={}", name);
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return arm(new Scheduled<>(Executors.callable(command, null), 0), unit.toNanos(delay));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return arm(new Scheduled<>(callable, 0), unit.toNanos(delay));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        return arm(new Scheduled<>(Executors.callable(command, null), unit.toNanos(period)), unit.toNanos(initialDelay));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) {
            throw new IllegalArgumentException("delay must be positive, got " + delay);
        }
        return arm(new Scheduled<>(Executors.callable(command, null), -unit.toNanos(delay)), unit.toNanos(initialDelay));
    }

    private <V> Scheduled<V> arm(Scheduled<V> task, long delayNanos) {
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException(name + " is shut down");
            }
            scheduled.add(task);
        }
        task.armIn(Math.max(0, delayNanos));
        return task;
    }

    @Override
    public void shutdown() {
        List<Scheduled<?>> pending;
        synchronized (lock) {
            shutdown = true;
            pending = new ArrayList<>(scheduled);
            scheduled.clear();
            lock.notifyAll();
        }
        for (Scheduled<?> s : pending) {
            s.cancel(false);
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        synchronized (lock) {
            List<Runnable> waiting = new ArrayList<>(queue);
            queue.clear();
            return waiting;
        }
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        synchronized (lock) {
            return shutdown && !active && queue.isEmpty();
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (!(shutdown && !active && queue.isEmpty())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    @Override
    public String toString() {
        return "SerialScheduledExecutor[" + name + "]";
    }

    /**
     * A delayed or periodic task: the shared timer hands it to this executor's queue when it is due.
     * {@code period} is 0 for a one-shot task, positive for a fixed rate, negative for a fixed delay.
     */
    private final class Scheduled<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        private final long period;
        private volatile long dueNanos;
        private volatile ScheduledFuture<?> timerHandle;

        Scheduled(Callable<V> callable, long period) {
            super(callable);
            this.period = period;
        }

        void armIn(long delayNanos) {
            dueNanos = System.nanoTime() + delayNanos;
            try {
                timerHandle = timer.schedule(this::due, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                super.cancel(false);
                forget();
                throw new RejectedExecutionException(name + ": the shared timer is shut down", e);
            }
            if (isCancelled()) {
                timerHandle.cancel(false); // cancelled while being armed
            }
        }

        private void due() {
            if (isCancelled()) {
                return;
            }
            try {
                SerialScheduledExecutor.this.execute(this);
            } catch (RejectedExecutionException e) {
                super.cancel(false); // shut down, or the queue is full: a missed periodic run ends it, as in the JDK
                forget();
            }
        }

        @Override
        public void run() {
            if (period == 0) {
                forget();
                super.run();
                return;
            }
            if (!runAndReset()) {
                forget(); // cancelled, or the task threw: no further runs
                return;
            }
            synchronized (lock) {
                if (shutdown) {
                    return;
                }
            }
            long next = period > 0 ? dueNanos + period : System.nanoTime() - period;
            try {
                armIn(Math.max(0, next - System.nanoTime()));
                dueNanos = next;
            } catch (RejectedExecutionException e) {
                Logger.debug("periodic task ended: timer gone executor={}", name);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(false);
            ScheduledFuture<?> handle = timerHandle;
            if (handle != null) {
                handle.cancel(false);
            }
            forget();
            return cancelled;
        }

        private void forget() {
            synchronized (lock) {
                scheduled.remove(this);
            }
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
