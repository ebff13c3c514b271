package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.fake.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedClockTest {
    private static final Instant START = Instant.parse("2026-11-21T08:00:00Z");
    private final ManualClock local = new ManualClock(START);
    @TempDir
    Path dir;

    private TrustedClock open() {
        return new TrustedClock(dir.resolve("trusted-time.json"), local, Duration.ofMinutes(10), Duration.ofDays(1));
    }

    @Test
    void follows_a_local_clock_that_only_moves_forward() {
        TrustedClock clock = open();
        assertEquals(START, clock.read().trustedNow());
        local.advance(Duration.ofDays(3));
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofDays(3)), r.trustedNow());
        assertFalse(r.clockTampered());
        assertEquals("trusted", r.clockState());
    }

    @Test
    void a_small_step_back_is_tolerated_and_time_does_not_go_back() {
        TrustedClock clock = open();
        local.advance(Duration.ofMinutes(-9));
        TrustedClock.Reading r = clock.read();
        assertFalse(r.clockTampered());
        assertEquals(START, r.trustedNow());
    }

    @Test
    void a_jump_back_beyond_the_tolerance_is_reported_and_trusted_time_keeps_flowing() {
        TrustedClock clock = open();
        local.advance(Duration.ofDays(-365));
        TrustedClock.Reading r = clock.read();
        assertTrue(r.clockTampered());
        assertEquals("jumped_back", r.clockState());
        assertEquals(Duration.ofDays(365), r.lastJumpBack());
        assertEquals(START, r.trustedNow());
        local.advance(Duration.ofDays(2));
        assertEquals(START.plus(Duration.ofDays(2)), clock.read().trustedNow(), "elapsed time still counts");
        assertTrue(clock.read().clockTampered(), "stays reported until a fresh trusted time");
    }

    @Test
    void a_jump_back_while_switched_off_is_seen_at_the_next_start() {
        open().read();
        local.advance(Duration.ofHours(-2));
        TrustedClock.Reading r = open().read();
        assertTrue(r.clockTampered());
        assertEquals(START, r.trustedNow());
    }

    @Test
    void the_mark_and_the_jump_survive_a_restart() {
        TrustedClock clock = open();
        local.advance(Duration.ofDays(30));
        clock.read();
        local.advance(Duration.ofDays(-60));
        clock.read();
        TrustedClock.Reading r = open().read();
        assertTrue(r.clockTampered());
        assertEquals(START.plus(Duration.ofDays(30)), r.trustedNow());
    }

    @Test
    void a_fresh_token_resolves_a_jump_back_but_never_lowers_trusted_time() {
        TrustedClock clock = open();
        local.advance(Duration.ofDays(-100));
        clock.read();
        TrustedClock.Reading r = clock.acceptTokenTime(START.minus(Duration.ofDays(50)));
        assertFalse(r.clockTampered());
        assertEquals(START, r.trustedNow());
        assertEquals("token", r.lastTrustedSource().orElseThrow());
    }

    @Test
    void a_token_time_ahead_raises_trusted_time() {
        TrustedClock clock = open();
        assertEquals(START.plus(Duration.ofHours(5)), clock.acceptTokenTime(START.plus(Duration.ofHours(5))).trustedNow());
    }

    @Test
    void a_far_future_token_time_moves_trusted_time_by_one_lead_at_most() {
        TrustedClock clock = open();
        TrustedClock.Reading r = clock.acceptTokenTime(Instant.parse("2150-01-01T00:00:00Z"));
        assertEquals(START.plus(Duration.ofDays(1)), r.trustedNow());
        local.advance(Duration.ofDays(2));
        assertEquals(START.plus(Duration.ofDays(3)), clock.read().trustedNow());
        assertFalse(clock.read().clockTampered(), "the local clock did not jump back");
    }

    @Test
    void server_time_sets_trusted_time_both_ways_and_resolves_a_jump_back() {
        TrustedClock clock = open();
        local.set(Instant.parse("2099-01-01T00:00:00Z"));  // a wrong RTC after a power loss
        clock.read();
        local.set(START.plus(Duration.ofMinutes(5)));       // corrected
        assertTrue(clock.read().clockTampered());
        assertEquals(Instant.parse("2099-01-01T00:00:00Z"), clock.read().trustedNow());
        TrustedClock.Reading r = clock.acceptServerTime(START.plus(Duration.ofMinutes(5)));
        assertFalse(r.clockTampered());
        assertEquals(START.plus(Duration.ofMinutes(5)), r.trustedNow());
        assertEquals("server", r.lastTrustedSource().orElseThrow());
        local.advance(Duration.ofHours(1));
        assertEquals(START.plus(Duration.ofMinutes(65)), clock.read().trustedNow());
        assertEquals(START.plus(Duration.ofMinutes(65)), open().read().trustedNow(), "persisted");
    }

    @Test
    void server_time_ahead_of_a_clock_that_is_behind_is_kept_without_a_new_report() {
        TrustedClock clock = open();
        clock.acceptServerTime(START.plus(Duration.ofDays(400)));
        local.advance(Duration.ofMinutes(1));
        TrustedClock.Reading r = clock.read();
        assertFalse(r.clockTampered(), "only a new jump back is reported");
        assertEquals(START.plus(Duration.ofDays(400)).plus(Duration.ofMinutes(1)), r.trustedNow());
    }

    @Test
    void an_unreadable_file_is_kept_aside_and_refuses_updates_until_trusted_time_arrives() throws Exception {
        Files.writeString(dir.resolve("trusted-time.json"), "{\"v\":1,\"markMs\":");
        TrustedClock clock = open();
        assertTrue(clock.read().clockTampered());
        assertTrue(Files.exists(dir.resolve("trusted-time.json.rejected")));
        assertFalse(clock.acceptServerTime(START).clockTampered());
    }

    @Test
    void while_time_just_flows_the_file_is_written_at_most_once_a_minute() throws Exception {
        Path file = dir.resolve("trusted-time.json");
        TrustedClock clock = open();
        String first = Files.readString(file);
        local.advance(Duration.ofSeconds(30));
        clock.read();
        assertEquals(first, Files.readString(file));
        local.advance(Duration.ofSeconds(31));
        clock.read();
        assertTrue(Files.readString(file).contains("\"markMs\":" + START.plusSeconds(61).toEpochMilli()));
    }

    @Test
    void a_command_time_only_raises_trusted_time_and_only_then_counts_as_fresh() {
        TrustedClock clock = open();
        local.set(START.minus(Duration.ofHours(2)));                  // clock set back: reported
        assertTrue(clock.read().clockTampered());
        TrustedClock.Reading stale = clock.acceptCommandTime(START.minus(Duration.ofHours(1)));
        assertTrue(stale.clockTampered(), "a command queued long ago proves nothing");
        assertEquals(START, stale.trustedNow());
        TrustedClock.Reading fresh = clock.acceptCommandTime(START.plus(Duration.ofMinutes(3)));
        assertFalse(fresh.clockTampered());
        assertEquals(START.plus(Duration.ofMinutes(3)), fresh.trustedNow());
        TrustedClock.Reading reopened = open().read();
        assertFalse(reopened.clockTampered(), "the mark raised by a command survives a restart");
        assertEquals("command", reopened.lastTrustedSource().orElseThrow());
        assertEquals(START.plus(Duration.ofMinutes(3)), reopened.trustedNow());
        TrustedClock.Reading far = clock.acceptCommandTime(START.plus(Duration.ofDays(3650)));
        assertTrue(far.trustedNow().isBefore(START.plus(Duration.ofDays(2))),
                "a cloud clock gone wrong raises trusted time by the bounded lead only: " + far.trustedNow());
    }
}
