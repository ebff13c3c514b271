package com.oviron.callidus.agent.diagnostics;

import com.oviron.callidus.hal.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The sample cycles the sampler hands to the diagnostics thread, taken in together: the first cycle after a
 * take-in schedules the next one {@code every} later on the thread, which then hands every waiting cycle to
 * the consumer in the order they came. A task per cycle woke the thread every sample period (55 times a second
 * at 500 readings/s) for a few microseconds of work each; the decisions do not change, as they go by the
 * cycles' own times, they only come up to {@code every} later.
 *
 * <p>{@link #add} may be called from any thread and returns at once; {@link #takeIn} runs on the thread, also
 * before any other work there that must see the cycles that came before it (a GPIO change, storing the
 * minutes, a report of the running minute, the stop).
 */
final class SampleCycles {

    /**
     * One sample cycle.
     *
     * @param at       when the cycle ran, by the agent's clock
     * @param readings what it read (empty when nothing could be read)
     * @param failed   whether nothing at all could be read (the board's device is gone or not answering)
     */
    record Cycle(Instant at, List<Reading> readings, boolean failed) {
        Cycle {
            Objects.requireNonNull(at, "at");
            readings = List.copyOf(readings);
        }
    }

    private final ScheduledExecutorService thread;
    private final long everyNanos;
    private final Consumer<Cycle> consumer;
    private final Queue<Cycle> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean takeInScheduled = new AtomicBoolean();

    /**
     * @param thread   the thread the consumer runs on
     * @param every    how long a cycle waits at most before it is taken in (unless other work takes it in sooner)
     * @param consumer what to do with each cycle, on {@code thread}; it must not throw
     */
    SampleCycles(ScheduledExecutorService thread, Duration every, Consumer<Cycle> consumer) {
        if (every.isNegative()) {
            throw new IllegalArgumentException("every must not be negative, got " + every);
        }
        this.thread = thread;
        this.everyNanos = every.toNanos();
        this.consumer = consumer;
    }

    /** Adds a cycle (any thread; returns at once). After the thread has stopped, the cycle is dropped. */
    void add(Cycle cycle) {
        waiting.add(cycle);
        if (takeInScheduled.compareAndSet(false, true)) {
            try {
                thread.schedule(this::scheduledTakeIn, everyNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                // the agent is stopping: nothing takes the cycles in any more, nor holds them
                waiting.clear();
                takeInScheduled.set(false);
            }
        }
    }

    /** Hands every waiting cycle to the consumer, oldest first; on the thread only. */
    void takeIn() {
        for (Cycle c = waiting.poll(); c != null; c = waiting.poll()) {
            consumer.accept(c);
        }
    }

    private void scheduledTakeIn() {
        takeInScheduled.set(false); // a cycle that comes from now on schedules the next take-in
        takeIn();
    }
}
