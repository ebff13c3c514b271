package com.oviron.callidus.agent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceWatchdogTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A hand-written fake of the notify socket: records what would have been sent. */
    static final class RecordingNotify implements SystemdNotify {
        final List<String> sent = new ArrayList<>();
        volatile boolean closed;

        @Override
        public synchronized boolean send(String message) {
            sent.add(message);
            return true;
        }

        synchronized List<String> sent() {
            return List.copyOf(sent);
        }

        long count(String line) {
            return sent().stream().filter(m -> m.lines().anyMatch(line::equals)).count();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final RecordingNotify notify = new RecordingNotify();

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    @Test
    void ready_is_sent_once_when_the_agent_is_ready_and_not_before() {
        AtomicBoolean ready = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
        ServiceWatchdog w = new ServiceWatchdog(notify, Optional.empty(), () -> {
            polls.incrementAndGet();
            return ready.get();
        }, Duration.ofHours(1), List.of(), executor);
        w.start();
        Await.until("three readiness polls", WAIT, () -> polls.get() >= 3);
        assertEquals(0, notify.count("READY=1"));
        ready.set(true);
        Await.until("READY=1", WAIT, () -> notify.count("READY=1") == 1);
        assertTrue(notify.sent().get(0).contains("STATUS=running"));
        w.close();
        assertEquals(1, notify.count("READY=1"));
        assertEquals(1, notify.count("STOPPING=1"));
        assertTrue(notify.closed);
    }

    @Test
    void ready_goes_out_after_the_wait_with_a_status_naming_what_is_missing() {
        ServiceWatchdog w = new ServiceWatchdog(notify, Optional.empty(), () -> false, Duration.ofMillis(300),
                List.of(), executor);
        w.start();
        Await.until("READY=1 after the wait", WAIT, () -> notify.count("READY=1") == 1);
        assertTrue(notify.sent().get(0).contains("the board has not answered yet"), notify.sent().toString());
        w.close();
    }

    @Test
    void the_status_says_running_once_a_board_that_was_late_answers() {
        AtomicBoolean ready = new AtomicBoolean();
        ServiceWatchdog w = new ServiceWatchdog(notify, Optional.of(Duration.ofHours(1)), ready::get,
                Duration.ofMillis(100), List.of(), executor);
        w.start();
        Await.until("READY=1 after the wait", WAIT, () -> notify.count("READY=1") == 1);
        w.beat();
        assertEquals("WATCHDOG=1", notify.sent().get(notify.sent().size() - 1), "the board still silent");
        ready.set(true);
        w.beat();
        assertEquals("WATCHDOG=1\nSTATUS=running", notify.sent().get(notify.sent().size() - 1));
        w.beat();
        assertEquals("WATCHDOG=1", notify.sent().get(notify.sent().size() - 1), "said once");
        w.close();
    }

    @Test
    void the_watchdog_is_fed_only_while_every_check_holds_and_a_problem_is_reported_once() {
        AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.empty());
        ServiceWatchdog w = new ServiceWatchdog(notify, Optional.of(Duration.ofMillis(300)), () -> true,
                Duration.ofHours(1), List.of(problem::get, Optional::empty), executor);
        w.start();
        Await.until("WATCHDOG=1", WAIT, () -> notify.count("WATCHDOG=1") >= 2);
        problem.set(Optional.of("sampler made no progress for more than 150 ms"));
        Await.until("the problem reported", WAIT, () -> notify.sent().stream()
                .anyMatch(m -> m.equals("STATUS=unhealthy: sampler made no progress for more than 150 ms")));
        long fed = notify.count("WATCHDOG=1");
        // more beats with the same problem: no WATCHDOG=1, and the status is not repeated
        int beatsBefore = notify.sent().size();
        for (int i = 0; i < 5; i++) {
            w.beat();
        }
        assertEquals(fed, notify.count("WATCHDOG=1"));
        assertEquals(beatsBefore, notify.sent().size(), notify.sent().toString());
        problem.set(Optional.empty());
        w.beat();
        String last = notify.sent().get(notify.sent().size() - 1);
        assertEquals("WATCHDOG=1\nSTATUS=running", last);
        w.close();
    }

    @Test
    void a_check_that_throws_counts_as_a_problem() {
        ServiceWatchdog w = new ServiceWatchdog(notify, Optional.of(Duration.ofHours(1)), () -> true,
                Duration.ofHours(1), List.of(() -> {
                    throw new IllegalStateException("boom");
                }), executor);
        w.beat();
        assertEquals(0, notify.count("WATCHDOG=1"));
        assertTrue(notify.sent().get(0).startsWith("STATUS=unhealthy: check failed"), notify.sent().toString());
    }

    @Test
    void the_beat_is_a_third_of_the_interval() {
        assertEquals(Duration.ofSeconds(20), ServiceWatchdog.beatPeriod(Duration.ofSeconds(60)));
        assertEquals(Duration.ofMillis(100), ServiceWatchdog.beatPeriod(Duration.ofMillis(30)));
    }

    @Test
    void the_environment_names_the_socket_and_the_interval_for_this_process_only() {
        NotifyEnvironment e = NotifyEnvironment.from(Map.of("NOTIFY_SOCKET", "/run/systemd/notify",
                "WATCHDOG_USEC", "60000000", "WATCHDOG_PID", "42"), 42);
        assertEquals(Optional.of("/run/systemd/notify"), e.socket());
        assertEquals(Optional.of(Duration.ofSeconds(60)), e.watchdogInterval());
        assertEquals(Optional.empty(), NotifyEnvironment.from(Map.of("NOTIFY_SOCKET", "@x",
                "WATCHDOG_USEC", "60000000", "WATCHDOG_PID", "41"), 42).watchdogInterval(), "another process's");
        assertEquals(Optional.empty(), NotifyEnvironment.from(Map.of("WATCHDOG_USEC", "-5"), 1).watchdogInterval());
        assertEquals(Optional.empty(), NotifyEnvironment.from(Map.of("WATCHDOG_USEC", "0"), 1).watchdogInterval());
        assertEquals(Optional.empty(), NotifyEnvironment.from(Map.of("WATCHDOG_USEC", "9x"), 1).watchdogInterval());
        assertEquals(Optional.of(Duration.ofDays(1)), NotifyEnvironment.from(Map.of("WATCHDOG_USEC",
                "999999999999999999"), 1).watchdogInterval(), "bounded");
        assertFalse(NotifyEnvironment.from(Map.of(), 1).socket().isPresent());
        assertFalse(NotifyEnvironment.from(Map.of("NOTIFY_SOCKET", " "), 1).socket().isPresent());
    }

    @Test
    void without_a_notify_socket_nothing_is_started() {
        assertTrue(ServiceWatchdog.start(NotifyEnvironment.from(Map.of(), 1), () -> true, Duration.ZERO, List.of())
                .isEmpty());
    }
}
