package com.oviron.callidus.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SampleCyclesTest {
    /** Deadline for the thread; a passing run never waits this long, a loaded CI machine may take seconds. */
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    /** A single thread that counts the tasks scheduled on it: each is a wake-up of the diagnostics thread. */
    private static final class CountingThread extends ScheduledThreadPoolExecutor {
        final AtomicInteger scheduled = new AtomicInteger();

        CountingThread() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.incrementAndGet();
            return super.schedule(command, delay, unit);
        }
    }

    private final CountingThread thread = new CountingThread();
    private final List<Instant> taken = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static SampleCycles.Cycle cycle(int i) {
        Instant at = T0.plusMillis(18L * i);
        return new SampleCycles.Cycle(at, List.of(new Reading("supply_voltage", 24.0, at, Quality.GOOD)), false);
    }

    private static List<Instant> times(int from, int to) {
        List<Instant> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(T0.plusMillis(18L * i));
        }
        return out;
    }

    private void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    @Test
    void cycles_that_come_within_the_interval_are_taken_in_together_in_order() {
        SampleCycles cycles = new SampleCycles(thread, Duration.ofSeconds(1), c -> taken.add(c.at()));
        for (int i = 0; i < 20; i++) {
            cycles.add(cycle(i));
        }
        await("20 cycles taken in", () -> taken.size() == 20);
        assertEquals(times(0, 20), taken);
        assertEquals(1, thread.scheduled.get(), "one take-in for the 20 cycles, not a task (a wake-up) each");
    }

    @Test
    void a_cycle_after_a_take_in_schedules_the_next_one() {
        SampleCycles cycles = new SampleCycles(thread, Duration.ofMillis(10), c -> taken.add(c.at()));
        cycles.add(cycle(0));
        await("first cycle taken in", () -> taken.size() == 1);
        cycles.add(cycle(1));
        cycles.add(cycle(2));
        await("the next two taken in", () -> taken.size() == 3);
        assertEquals(times(0, 3), taken);
        assertEquals(2, thread.scheduled.get());
    }

    @Test
    void other_work_on_the_thread_takes_in_the_cycles_that_came_before_it_first() throws Exception {
        SampleCycles cycles = new SampleCycles(thread, Duration.ofHours(1), c -> taken.add(c.at()));
        for (int i = 0; i < 5; i++) {
            cycles.add(cycle(i));
        }
        // a GPIO change, storing the minutes, a report of the running minute, the stop: each takes in first
        int seen = thread.submit(() -> {
            cycles.takeIn();
            return taken.size();
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(5, seen);
        assertEquals(times(0, 5), taken);
        cycles.add(cycle(5)); // the take-in scheduled an hour ahead is still pending: no second one
        assertEquals(1, thread.scheduled.get());
    }

    @Test
    void a_failed_cycle_keeps_its_place_among_the_others() {
        List<Boolean> failed = new CopyOnWriteArrayList<>();
        SampleCycles cycles = new SampleCycles(thread, Duration.ofMillis(50), c -> failed.add(c.failed()));
        cycles.add(cycle(0));
        cycles.add(new SampleCycles.Cycle(T0.plusMillis(18), List.of(), true));
        cycles.add(cycle(2));
        await("three cycles taken in", () -> failed.size() == 3);
        assertEquals(List.of(false, true, false), failed);
    }

    @Test
    void after_the_thread_stopped_a_cycle_is_dropped_without_an_error() {
        ScheduledExecutorService stopped = Executors.newSingleThreadScheduledExecutor();
        stopped.shutdownNow();
        SampleCycles cycles = new SampleCycles(stopped, Duration.ofMillis(10), c -> taken.add(c.at()));
        cycles.add(cycle(0));
        cycles.add(cycle(1));
        cycles.takeIn();
        assertEquals(List.of(), taken, "not held in memory after the stop");
    }
}
