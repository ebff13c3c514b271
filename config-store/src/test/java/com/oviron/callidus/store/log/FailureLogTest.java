package com.oviron.callidus.store.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureLogTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final List<String> lines = new ArrayList<>();
    private final FailureLog log = new FailureLog(Duration.ofMinutes(1), nanos::get,
            (level, message, args) -> lines.add(level + " " + format(message, args)));

    private static String format(String message, Object[] args) {
        StringBuilder out = new StringBuilder();
        int arg = 0;
        for (int i = 0; i < message.length(); i++) {
            if (message.startsWith("{}", i)) {
                out.append(arg < args.length ? args[arg++] : "{}");
                i++;
            } else {
                out.append(message.charAt(i));
            }
        }
        assertEquals(args.length, arg, "every argument has its placeholder: " + message + " " + Arrays.toString(args));
        return out.toString();
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void a_failure_repeated_every_second_for_ten_minutes_leaves_one_line_a_minute_with_the_repeats_counted() {
        for (int second = 0; second < 600; second++) {
            log.warn("persist", "trusted time not persisted file={} error={}", "t.json", "No space left on device");
            advance(Duration.ofSeconds(1));
        }
        assertEquals(10, lines.size(), lines.toString());
        assertEquals("WARN trusted time not persisted file=t.json error=No space left on device", lines.get(0));
        assertEquals("WARN trusted time not persisted file=t.json error=No space left on device suppressed=59",
                lines.get(1));
        assertEquals(600, log.count("persist"));
    }

    @Test
    void distinct_failures_are_each_logged_at_once() {
        log.error("write", "store write failed");
        log.error("ack", "ack not recorded");
        log.error("write", "store write failed");
        assertEquals(List.of("ERROR store write failed", "ERROR ack not recorded"), lines);
    }

    @Test
    void the_end_of_a_logged_failure_is_logged_once_with_how_often_it_happened() {
        log.warn("write", "failed");
        log.warn("write", "failed");
        log.cleared("write", "store writes again file={}", "a.db");
        log.cleared("write", "store writes again file={}", "a.db");
        log.cleared("never", "never failed");
        assertEquals(List.of("WARN failed", "INFO store writes again file=a.db failures=2"), lines);
        assertFalse(log.failing("write"));
        log.warn("write", "failed");
        assertTrue(log.failing("write"));
        assertEquals(3, lines.size(), "a new failure after the end is logged at once");
    }

    @Test
    void memory_stays_bounded_with_many_distinct_failures() {
        for (int i = 0; i < FailureLog.MAX_FAILURES + 10; i++) {
            log.warn("f" + i, "failure {}", i);
        }
        assertFalse(log.failing("f0"), "the oldest is forgotten");
        assertTrue(log.failing("f" + (FailureLog.MAX_FAILURES + 9)));
    }

    @Test
    void different_causes_at_one_place_are_different_failures_and_end_together() {
        java.sql.SQLException full = new java.sql.SQLException("[SQLITE_FULL] database or disk is full");
        java.io.IOException gone = new java.io.IOException("wrapped", new java.nio.file.NoSuchFileException("a.db"));
        assertEquals("SQLITE_FULL", FailureLog.kindOf(new IllegalStateException("cannot append: "
                + full.getMessage(), full)));
        assertEquals("NoSuchFileException", FailureLog.kindOf(gone));
        log.error("write." + FailureLog.kindOf(full), "write failed error={}", "full");
        log.error("write." + FailureLog.kindOf(gone), "write failed error={}", "gone");
        log.error("write." + FailureLog.kindOf(full), "write failed error={}", "full");
        log.cleared("write", "writes again");
        assertEquals(List.of("ERROR write failed error=full", "ERROR write failed error=gone",
                "INFO writes again failures=3"), lines);
        assertFalse(log.failing("write." + FailureLog.kindOf(full)));
    }
}
