package com.oviron.callidus.agent.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrustedClockTest {
    private static final Instant START = Instant.parse("2026-11-21T08:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(10);
    private static final Duration LEAD = Duration.ofDays(1);
    private final FakeTime time = new FakeTime(START);
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("trusted-time.json");
    }

    private TrustedClock open() {
        return new TrustedClock(file(), time.wall, time.monotonic(), TOLERANCE, LEAD);
    }

    /** A restart: a new process (a new monotonic origin) opens the same file. */
    private TrustedClock restart() {
        time.newProcess(-987_654_321_000L);
        return open();
    }

    private static Duration d(String text) {
        return Duration.parse(text);
    }

    // ---- the rule, at its exact boundaries ----

    @ParameterizedTest(name = "token time own{0} gives trusted time own{1}")
    @CsvSource({
            "-P1D,      PT0S",      // an old token changes nothing
            "PT0S,      PT0S",
            "PT1S,      PT1S",
            "PT23H59M59.999S, PT23H59M59.999S",
            "P1D,       P1D",       // exactly the lead
            "PT24H0.001S, P1D",     // a millisecond beyond: held to the lead
            "P30D,      P1D",       // a cloud clock 30 days fast
            "P36500D,   P1D"})
    void a_token_raises_trusted_time_up_to_the_lead_beyond_own_time_and_no_further(String tokenOffset,
                                                                                   String expected) {
        TrustedClock clock = open();
        TrustedClock.Reading r = clock.acceptTokenTime(START.plus(d(tokenOffset)));
        assertEquals(START.plus(d(expected)), r.trustedNow());
        assertEquals(START, r.ownTime(), "a token never moves own time");
    }

    @ParameterizedTest(name = "wall clock stepped back by {0}: jumped back {1}")
    @CsvSource({
            "PT1S,          false",
            "PT9M59.999S,   false",
            "PT10M,         false",    // exactly the tolerance
            "PT10M0.001S,   true",     // a millisecond beyond
            "P365D,         true"})
    void a_wall_clock_behind_own_time_by_more_than_the_tolerance_is_a_jump_back(String stepBack, boolean jumped) {
        TrustedClock clock = open();
        time.stepWall(d(stepBack).negated());
        TrustedClock.Reading r = clock.read();
        assertEquals(jumped, r.clockTampered());
        assertEquals(jumped ? "jumped_back" : "trusted", r.clockState());
        assertEquals(START, r.trustedNow(), "trusted time does not go back with the clock");
    }

    @ParameterizedTest(name = "wall clock moved by {0} while off: trusted time +{1}, jumped back {2}")
    @CsvSource({
            "PT0S,      PT0S,   false",
            "P3D,       P3D,    false",    // switched off for 3 days: counted
            "-PT10M,    PT0S,   false",
            "-PT10M0.001S, PT0S, true",
            "-P400D,    PT0S,   true"})    // set back while off: not counted, reported
    void across_a_restart_only_the_wall_clocks_progress_counts(String moved, String gained, boolean jumped) {
        open().read();
        time.stepWall(d(moved));
        TrustedClock.Reading r = restart().read();
        assertEquals(START.plus(d(gained)), r.trustedNow());
        assertEquals(jumped, r.clockTampered());
    }

    // ---- the local clock ----

    @Test
    void follows_a_wall_clock_that_runs_with_the_monotonic_clock() {
        TrustedClock clock = open();
        assertEquals(START, clock.read().trustedNow());
        time.pass(Duration.ofDays(3));
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofDays(3)), r.trustedNow());
        assertEquals(START.plus(Duration.ofDays(3)), r.localNow());
        assertEquals(Duration.ZERO, r.localCorrection());
        assertFalse(r.clockTampered());
    }

    @Test
    void after_a_jump_back_own_time_keeps_flowing_with_the_monotonic_clock_and_resolves_when_the_clock_is_back() {
        TrustedClock clock = open();
        time.stepWall(Duration.ofDays(-365));
        assertTrue(clock.read().clockTampered());
        assertEquals(Duration.ofDays(365), clock.read().lastJumpBack());
        time.pass(Duration.ofDays(2));
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofDays(2)), r.trustedNow(), "elapsed time still counts");
        assertTrue(r.clockTampered());
        time.setWall(START.plus(Duration.ofDays(2)));          // the clock is set right again
        TrustedClock.Reading back = clock.read();
        assertFalse(back.clockTampered());
        assertEquals(START.plus(Duration.ofDays(2)), back.trustedNow());
    }

    @Test
    void setting_the_clock_back_again_and_again_within_the_tolerance_gains_nothing() {
        TrustedClock clock = open();
        for (int i = 0; i < 200; i++) {
            time.pass(Duration.ofMinutes(1));
            time.stepWall(Duration.ofMinutes(-9));
            clock.read();
        }
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofMinutes(200)), r.trustedNow(), "the monotonic clock counts, not the wall");
        assertTrue(r.clockTampered(), "the wall clock now lags by days");
    }

    @Test
    void a_controller_without_rtc_booting_in_1970_keeps_its_time_and_ntp_does_not_add_the_decades() {
        open().read();
        time.setWall(Instant.EPOCH);                           // off for 3 days, boots in 1970
        TrustedClock clock = restart();
        TrustedClock.Reading boot = clock.read();
        assertEquals(START, boot.trustedNow());
        assertTrue(boot.clockTampered());
        time.pass(Duration.ofMinutes(2));
        assertEquals(START.plus(Duration.ofMinutes(2)), clock.read().trustedNow());
        time.setWall(START.plus(Duration.ofDays(3)).plus(Duration.ofMinutes(2)));   // NTP
        TrustedClock.Reading synced = clock.read();
        assertEquals(START.plus(Duration.ofDays(3)).plus(Duration.ofMinutes(2)), synced.trustedNow());
        assertFalse(synced.clockTampered());
    }

    @Test
    void a_restart_after_ntp_set_a_clock_that_booted_in_1970_counts_the_time_off_once() {
        open().read();
        time.setWall(Instant.EPOCH);
        assertTrue(restart().read().clockTampered(), "booted in 1970, the agent started before NTP");
        time.pass(Duration.ofMinutes(1));
        time.setWall(START.plus(Duration.ofDays(3)));            // NTP, then the agent restarts (an update)
        TrustedClock.Reading r = restart().read();
        assertEquals(START.plus(Duration.ofDays(3)), r.trustedNow(), "not 56 years ahead");
        assertFalse(r.clockTampered());
    }

    @Test
    void readings_less_than_a_millisecond_apart_do_not_stall_time() {
        TrustedClock clock = open();
        time.setWall(Instant.EPOCH);                          // only the monotonic clock can move it now
        for (int i = 0; i < 10_000; i++) {
            time.passMonotonicOnly(Duration.ofNanos(400_000));
            clock.read();
        }
        assertEquals(START.plusMillis(4000), clock.read().trustedNow());
    }

    // ---- tokens ----

    @Test
    void many_tokens_from_a_cloud_clock_30_days_fast_put_trusted_time_one_lead_ahead_in_all() {
        TrustedClock clock = open();
        for (int i = 0; i < 50; i++) {
            time.pass(Duration.ofMinutes(1));
            clock.acceptTokenTime(time.wallNow().plus(Duration.ofDays(30)));
        }
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofMinutes(50)).plus(LEAD), r.trustedNow());
        assertEquals(START.plus(Duration.ofMinutes(50)), r.ownTime());
        assertEquals("token", r.lastTrustedSource().orElseThrow());
    }

    @Test
    void the_lead_does_not_grow_across_restarts() {
        TrustedClock clock = open();
        for (int i = 0; i < 10; i++) {
            clock.acceptTokenTime(time.wallNow().plus(Duration.ofDays(30)));
            time.pass(Duration.ofHours(1));
            clock = restart();
        }
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofHours(10)).plus(LEAD), r.trustedNow());
    }

    @Test
    void a_tokens_lead_is_overtaken_by_a_wall_clock_moving_forward() {
        TrustedClock clock = open();
        clock.acceptTokenTime(START.plus(Duration.ofHours(20)));
        time.stepWall(Duration.ofDays(2));
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofDays(2)), r.trustedNow(), "the token said 'at least', not 'plus'");
    }

    @Test
    void a_token_never_lowers_trusted_time_nor_ends_a_jump_back() {
        TrustedClock clock = open();
        time.stepWall(Duration.ofDays(-100));
        clock.read();
        TrustedClock.Reading r = clock.acceptTokenTime(START.minus(Duration.ofDays(50)));
        assertTrue(r.clockTampered(), "a token may be old: it proves nothing about now");
        assertEquals(START, r.trustedNow());
        assertTrue(r.lastTrustedSource().isEmpty());
    }

    // ---- signed time ----

    @Test
    void a_signed_time_sets_a_mark_that_is_too_far_ahead_back_and_it_is_persisted() throws Exception {
        Files.writeString(file(), planted(START.plus(Duration.ofDays(60)), START));
        TrustedClock clock = open();
        assertEquals(START.plus(Duration.ofDays(60)), clock.read().trustedNow());
        TrustedClock.Reading r = clock.acceptSignedTime(START.plusSeconds(2));
        assertEquals(START.plusSeconds(2), r.trustedNow());
        assertEquals(Duration.ZERO, r.localCorrection(), "the wall clock was right");
        assertFalse(r.clockTampered());
        assertEquals("statement", r.lastTrustedSource().orElseThrow());
        time.pass(Duration.ofHours(1));
        assertEquals(START.plus(Duration.ofHours(1)).plusSeconds(2), clock.read().trustedNow());
        time.pass(Duration.ofHours(1));
        TrustedClock.Reading reopened = restart().read();
        // across a restart own time moves on to the wall clock: the 2 s the wall clock lagged (within the
        // tolerance, so no correction was kept) are given up, in the customer's favour
        assertEquals(START.plus(Duration.ofHours(2)), reopened.trustedNow());
        assertFalse(reopened.clockTampered());
    }

    @Test
    void a_signed_time_corrects_a_wall_clock_that_runs_30_days_ahead_until_the_clock_is_fixed() {
        TrustedClock clock = open();
        time.stepWall(Duration.ofDays(30));                  // a wrong RTC
        assertEquals(START.plus(Duration.ofDays(30)), clock.read().trustedNow());
        TrustedClock.Reading r = clock.acceptSignedTime(START);
        assertEquals(START, r.trustedNow());
        assertEquals(Duration.ofDays(-30), r.localCorrection());
        assertFalse(r.clockTampered());
        time.pass(Duration.ofHours(1));
        assertEquals(START.plus(Duration.ofHours(1)), clock.read().trustedNow());
        time.pass(Duration.ofHours(1));
        TrustedClock.Reading reopened = restart().read();
        assertEquals(START.plus(Duration.ofHours(2)), reopened.trustedNow(), "the correction survives a restart");
        assertFalse(reopened.clockTampered());
        time.setWall(START.plus(Duration.ofHours(2)));       // a technician sets the clock right
        TrustedClock.Reading fixed = open().read();
        assertEquals(Duration.ZERO, fixed.localCorrection(), "the wall clock agrees again: no correction needed");
        assertEquals(START.plus(Duration.ofHours(2)), fixed.trustedNow());
        assertFalse(fixed.clockTampered());
    }

    @Test
    void a_signed_time_ahead_of_a_wall_clock_in_1970_holds_until_ntp_sets_the_clock() {
        time.setWall(Instant.EPOCH);
        TrustedClock clock = open();                         // first start in 1970, no RTC, no NTP yet
        TrustedClock.Reading r = clock.acceptSignedTime(START);
        assertEquals(START, r.trustedNow());
        assertFalse(r.clockTampered());
        time.pass(Duration.ofMinutes(5));
        time.setWall(START.plus(Duration.ofMinutes(5)));     // NTP
        TrustedClock.Reading synced = clock.read();
        assertEquals(START.plus(Duration.ofMinutes(5)), synced.trustedNow(), "no jump by the correction");
        assertEquals(Duration.ZERO, synced.localCorrection());
    }

    @Test
    void a_signed_time_ends_a_jump_back() {
        TrustedClock clock = open();
        time.stepWall(Duration.ofDays(-3));
        assertTrue(clock.read().clockTampered());
        TrustedClock.Reading r = clock.acceptSignedTime(START.plusSeconds(1));
        assertFalse(r.clockTampered());
        assertEquals(START.plusSeconds(1), r.trustedNow());
    }

    // ---- the file ----

    @Test
    void an_unreadable_file_is_kept_aside_and_counts_as_jumped_back_until_a_signed_time() throws Exception {
        Files.writeString(file(), "{\"v\":2,\"markMs\":");
        TrustedClock clock = open();
        assertTrue(clock.read().clockTampered());
        assertTrue(Files.exists(dir.resolve("trusted-time.json.rejected")));
        assertTrue(restart().read().clockTampered(), "also after a restart");
        clock = open();
        assertTrue(clock.acceptTokenTime(START.plusSeconds(60)).clockTampered(), "a token does not end it");
        assertFalse(clock.acceptSignedTime(START).clockTampered());
    }

    @Test
    void while_time_just_flows_the_file_is_written_at_most_once_a_minute() throws Exception {
        TrustedClock clock = open();
        String first = Files.readString(file());
        time.pass(Duration.ofSeconds(30));
        clock.read();
        assertEquals(first, Files.readString(file()));
        time.pass(Duration.ofSeconds(31));
        clock.read();
        assertTrue(Files.readString(file()).contains("\"markMs\":" + START.plusSeconds(61).toEpochMilli()));
    }

    @Test
    void a_version_1_file_of_the_earlier_rule_is_read_with_its_mark_kept() throws Exception {
        // what the earlier rule left after six commands from a cloud clock 30 days fast
        Files.writeString(file(), "{\"v\":1,\"markMs\":" + START.plus(Duration.ofDays(6)).toEpochMilli()
                + ",\"lastLocalMs\":" + START.toEpochMilli() + ",\"tampered\":false,\"jumpBackMs\":0,"
                + "\"jumpBackAtMs\":-1,\"trustedSource\":\"command\",\"trustedAtMs\":"
                + START.plus(Duration.ofDays(6)).toEpochMilli() + "}");
        TrustedClock clock = open();
        TrustedClock.Reading r = clock.read();
        assertEquals(START.plus(Duration.ofDays(6)), r.trustedNow(), "kept: only a signed statement corrects it");
        assertTrue(r.clockTampered(), "the wall clock lags what the file says");
        assertEquals(START, clock.acceptSignedTime(START).trustedNow());
        assertTrue(Files.readString(file()).contains("\"v\":2"));
    }

    @Test
    void a_lead_in_the_file_beyond_the_configured_one_is_held_to_it() throws Exception {
        Files.writeString(file(), "{\"v\":2,\"markMs\":" + START.plus(Duration.ofDays(5)).toEpochMilli()
                + ",\"ownMs\":" + START.toEpochMilli() + ",\"lastUnitMs\":" + START.toEpochMilli()
                + ",\"localCorrectionMs\":0,\"jumpedBack\":false,\"markLost\":false,\"jumpBackMs\":0,"
                + "\"jumpBackAtMs\":-1,\"trustedAtMs\":-1}");
        TrustedClock.Reading r = open().read();
        assertEquals(START.plus(LEAD), r.trustedNow());
        assertEquals(START, r.ownTime());
    }

    /** A version 2 file whose own time and mark are {@code mark}, last read when the wall clock said {@code at}. */
    static String planted(Instant mark, Instant at) {
        return "{\"v\":2,\"markMs\":" + mark.toEpochMilli() + ",\"ownMs\":" + mark.toEpochMilli() + ",\"lastUnitMs\":"
                + at.toEpochMilli() + ",\"localCorrectionMs\":0,\"jumpedBack\":false,\"markLost\":false,"
                + "\"jumpBackMs\":0,\"jumpBackAtMs\":-1,\"trustedAtMs\":-1}";
    }
}
