package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialScheduledExecutorTest {
    private static final long WAIT_S = 30;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService workers = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private SerialScheduledExecutor serial(String name, int capacity) {
        return new SerialScheduledExecutor(name, timer, workers, capacity);
    }

    @Test
    void each_executor_runs_its_tasks_one_at_a_time_in_order_on_shared_threads() throws Exception {
        int executors = 8;
        int tasks = 2000;
        List<List<Integer>> seen = new ArrayList<>();
        List<AtomicInteger> running = new ArrayList<>();
        AtomicBoolean overlap = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(executors * tasks);
        List<SerialScheduledExecutor> all = new ArrayList<>();
        for (int e = 0; e < executors; e++) {
            seen.add(Collections.synchronizedList(new ArrayList<>()));
            running.add(new AtomicInteger());
            all.add(serial("unit-" + e, Integer.MAX_VALUE));
        }
        for (int i = 0; i < tasks; i++) {
            for (int e = 0; e < executors; e++) {
                int task = i;
                int unit = e;
                all.get(e).execute(() -> {
                    if (running.get(unit).incrementAndGet() != 1) {
                        overlap.set(true);
                    }
                    seen.get(unit).add(task);
                    running.get(unit).decrementAndGet();
                    done.countDown();
                });
            }
        }
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
        assertFalse(overlap.get(), "two tasks of one executor ran at the same time");
        for (List<Integer> s : seen) {
            for (int i = 0; i < tasks; i++) {
                assertEquals(i, s.get(i), "tasks ran out of order");
            }
        }
    }

    @Test
    void a_task_beyond_the_capacity_is_refused_while_one_runs() throws Exception {
        SerialScheduledExecutor commands = serial("commands", 2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        commands.execute(() -> {
            started.countDown();
            await(release);
        });
        assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
        commands.execute(() -> { });
        commands.execute(() -> { });
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> commands.execute(() -> { }));
        assertTrue(e.getMessage().contains("commands"), e.getMessage());
        release.countDown();
    }

    @Test
    void a_fixed_delay_task_repeats_until_cancelled() throws Exception {
        SerialScheduledExecutor sync = serial("telemetry-sync", Integer.MAX_VALUE);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        ScheduledFuture<?> f = sync.scheduleWithFixedDelay(() -> {
            runs.incrementAndGet();
            three.countDown();
        }, 0, 5, TimeUnit.MILLISECONDS);
        assertTrue(three.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(((java.util.concurrent.RunnableScheduledFuture<?>) f).isPeriodic());
        f.cancel(false);
        int after = runs.get();
        // a run already handed over may still finish; then nothing more
        CountDownLatch marker = new CountDownLatch(1);
        sync.schedule(marker::countDown, 50, TimeUnit.MILLISECONDS);
        assertTrue(marker.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(runs.get() <= after + 1, "ran on after cancel: " + runs.get() + " > " + (after + 1));
    }

    @Test
    void a_fixed_rate_task_never_overlaps_itself_and_a_throwing_one_stops() throws Exception {
        SerialScheduledExecutor sampler = serial("hal-sampler", Integer.MAX_VALUE);
        AtomicInteger inside = new AtomicInteger();
        AtomicBoolean overlap = new AtomicBoolean();
        CountDownLatch twenty = new CountDownLatch(20);
        ScheduledFuture<?> f = sampler.scheduleAtFixedRate(() -> {
            if (inside.incrementAndGet() != 1) {
                overlap.set(true);
            }
            inside.decrementAndGet();
            twenty.countDown();
        }, 0, 1, TimeUnit.MILLISECONDS);
        assertTrue(twenty.await(WAIT_S, TimeUnit.SECONDS));
        f.cancel(false);
        assertFalse(overlap.get());

        AtomicInteger failing = new AtomicInteger();
        ScheduledFuture<?> g = sampler.scheduleAtFixedRate(() -> {
            failing.incrementAndGet();
            throw new IllegalStateException("boom");
        }, 0, 1, TimeUnit.MILLISECONDS);
        assertThrows(java.util.concurrent.ExecutionException.class, () -> g.get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(1, failing.get());
    }

    @Test
    void shutdown_lets_waiting_tasks_finish_cancels_delayed_ones_and_refuses_new_ones() throws Exception {
        SerialScheduledExecutor e = serial("file-transfer", Integer.MAX_VALUE);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        e.execute(() -> await(release));
        e.execute(ran::incrementAndGet);
        ScheduledFuture<?> later = e.schedule(ran::incrementAndGet, 1, TimeUnit.HOURS);
        e.shutdown();
        assertTrue(later.isCancelled());
        assertThrows(RejectedExecutionException.class, () -> e.execute(() -> { }));
        assertFalse(e.awaitTermination(10, TimeUnit.MILLISECONDS));
        release.countDown();
        assertTrue(e.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertTrue(e.isTerminated());
        assertEquals(1, ran.get());
    }

    @Test
    void shutdown_now_hands_back_the_waiting_tasks_and_clears_an_interrupt_left_behind() throws Exception {
        SerialScheduledExecutor e = serial("commands", Integer.MAX_VALUE);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interruptedAfter = new AtomicBoolean(true);
        CountDownLatch checked = new CountDownLatch(1);
        e.execute(() -> Thread.currentThread().interrupt());
        e.execute(() -> {
            interruptedAfter.set(Thread.currentThread().isInterrupted());
            checked.countDown();
        });
        assertTrue(checked.await(WAIT_S, TimeUnit.SECONDS));
        assertFalse(interruptedAfter.get(), "the interrupt of one task leaked into the next");

        e.execute(() -> await(release));
        e.execute(() -> { });
        e.execute(() -> { });
        List<Runnable> waiting = e.shutdownNow();
        release.countDown();
        assertTrue(e.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertTrue(waiting.size() >= 2, "waiting tasks handed back: " + waiting.size());
    }

    @Test
    void submit_returns_the_result_of_the_task() throws Exception {
        SerialScheduledExecutor e = serial("telemetry-sync", Integer.MAX_VALUE);
        assertEquals("ok", e.submit(() -> "ok").get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(42, e.schedule(() -> 42, 1, TimeUnit.MILLISECONDS).get(WAIT_S, TimeUnit.SECONDS));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
