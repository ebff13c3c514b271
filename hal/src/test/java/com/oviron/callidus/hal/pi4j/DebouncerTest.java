package com.oviron.callidus.hal.pi4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DebouncerTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS; // nanoTime has an arbitrary origin

    @Test
    void a_bounce_shorter_than_the_debounce_is_ignored() {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(20), false);
        assertFalse(debouncer.raw(true, T0));
        assertFalse(debouncer.raw(false, T0 + 19 * MS));
        assertFalse(debouncer.poll(T0 + 20 * MS));
        assertFalse(debouncer.poll(T0 + 1_000 * MS));
        assertFalse(debouncer.stable());
        assertEquals(OptionalLong.empty(), debouncer.pendingUntil());
    }

    @Test
    void a_stable_change_is_accepted_after_exactly_the_debounce_time() {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(20), false);
        assertFalse(debouncer.raw(true, T0));
        assertEquals(OptionalLong.of(T0 + 20 * MS), debouncer.pendingUntil());
        assertFalse(debouncer.poll(T0 + 20 * MS - 1));
        assertFalse(debouncer.stable());
        assertTrue(debouncer.poll(T0 + 20 * MS));
        assertTrue(debouncer.stable());
        assertFalse(debouncer.poll(T0 + 40 * MS), "a change is reported once");
        assertEquals(OptionalLong.empty(), debouncer.pendingUntil());
    }

    @Test
    void every_edge_restarts_the_debounce_time() {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(20), false);
        debouncer.raw(true, T0);
        debouncer.raw(false, T0 + 5 * MS);
        debouncer.raw(true, T0 + 10 * MS);
        assertEquals(OptionalLong.of(T0 + 30 * MS), debouncer.pendingUntil());
        assertFalse(debouncer.poll(T0 + 29 * MS));
        assertTrue(debouncer.poll(T0 + 30 * MS));
        assertTrue(debouncer.stable());
    }

    @Test
    void the_same_raw_level_again_is_no_edge_and_keeps_the_time_running() {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(20), true);
        debouncer.raw(false, T0);
        debouncer.raw(false, T0 + 15 * MS);
        assertTrue(debouncer.poll(T0 + 20 * MS));
        assertFalse(debouncer.stable());
    }

    @Test
    void a_zero_debounce_accepts_every_change_immediately() {
        Debouncer debouncer = new Debouncer(Duration.ZERO, false);
        assertTrue(debouncer.raw(true, T0));
        assertTrue(debouncer.stable());
        assertTrue(debouncer.raw(false, T0));
        assertFalse(debouncer.stable());
        assertEquals(OptionalLong.empty(), debouncer.pendingUntil());
    }

    @Test
    void keeps_counting_when_nano_time_wraps_around() {
        Debouncer debouncer = new Debouncer(Duration.ofMillis(20), false);
        long start = Long.MAX_VALUE - 10 * MS; // nanoTime may overflow; only differences count
        debouncer.raw(true, start);
        assertFalse(debouncer.poll(start + 19 * MS));
        assertTrue(debouncer.poll(start + 20 * MS));
    }
}
