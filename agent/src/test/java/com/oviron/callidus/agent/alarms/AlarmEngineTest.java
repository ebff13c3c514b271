package com.oviron.callidus.agent.alarms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rule type at its exact boundaries, driven with readings at known times. */
class AlarmEngineTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    /** What the engine decided, as lines: "raised rule value limit @ms", "cleared rule @ms". */
    static final class Recorder implements AlarmEngine.Listener {
        final List<String> events = new ArrayList<>();
        final List<Double> worse = new ArrayList<>();

        @Override
        public void raised(AlarmRule rule, Instant at, double value, double limit) {
            events.add("raised " + rule.id() + " " + value + " " + limit + " @" + ms(at));
        }

        @Override
        public void cleared(AlarmRule rule, Instant at) {
            events.add("cleared " + rule.id() + " @" + ms(at));
        }

        @Override
        public void worse(AlarmRule rule, double value) {
            worse.add(value);
        }
    }

    private final Recorder rec = new Recorder();

    private static long ms(Instant at) {
        return Duration.between(T0, at).toMillis();
    }

    private static Instant at(long ms) {
        return T0.plusMillis(ms);
    }

    private static Reading r(String channel, double value, long ms) {
        return new Reading(channel, value, at(ms), Quality.GOOD);
    }

    private static AlarmRule.Threshold high(double limit, double hysteresis, Duration d) {
        return new AlarmRule.Threshold("v.high", "A001", "v", AlarmRule.Side.ABOVE, limit, hysteresis, d);
    }

    @Test
    void a_high_threshold_needs_values_strictly_above_for_the_whole_minimum_duration() {
        AlarmEngine e = new AlarmEngine(List.of(high(28.0, 0.5, Duration.ofSeconds(5))), rec);
        e.onCycle(at(0), List.of(r("v", 28.0, 0)), false);          // equal to the limit: not above
        e.onCycle(at(100), List.of(r("v", 28.01, 100)), false);     // above from 100 ms
        e.onCycle(at(5_099), List.of(r("v", 28.5, 5_099)), false);  // 4999 ms: not yet
        assertEquals(List.of(), rec.events);
        e.onCycle(at(5_100), List.of(r("v", 28.2, 5_100)), false);  // exactly 5 s
        assertEquals(List.of("raised v.high 28.2 28.0 @5100"), rec.events);
    }

    @Test
    void a_value_back_at_or_below_the_limit_restarts_the_minimum_duration() {
        AlarmEngine e = new AlarmEngine(List.of(high(28.0, 0.5, Duration.ofSeconds(5))), rec);
        e.onCycle(at(0), List.of(r("v", 29, 0)), false);
        e.onCycle(at(4_000), List.of(r("v", 28.0, 4_000)), false);  // back at the limit: the count starts again
        e.onCycle(at(4_100), List.of(r("v", 29, 4_100)), false);
        e.onCycle(at(9_000), List.of(r("v", 29, 9_000)), false);
        assertEquals(List.of(), rec.events);
        e.onCycle(at(9_100), List.of(r("v", 29, 9_100)), false);
        assertEquals(List.of("raised v.high 29.0 28.0 @9100"), rec.events);
    }

    @Test
    void hysteresis_clears_only_at_or_below_the_limit_minus_hysteresis() {
        AlarmEngine e = new AlarmEngine(List.of(high(28.0, 0.5, Duration.ZERO)), rec);
        e.onCycle(at(0), List.of(r("v", 28.5, 0)), false);
        e.onCycle(at(100), List.of(r("v", 30.0, 100)), false);
        e.onCycle(at(200), List.of(r("v", 27.6, 200)), false);   // below the limit, above limit - hysteresis
        assertEquals(List.of("raised v.high 28.5 28.0 @0"), rec.events);
        e.onCycle(at(300), List.of(r("v", 27.5, 300)), false);   // exactly limit - hysteresis
        assertEquals(List.of("raised v.high 28.5 28.0 @0", "cleared v.high @300"), rec.events);
        assertEquals(List.of(30.0), rec.worse, "the worst value while active is reported");
    }

    @Test
    void a_low_threshold_mirrors_the_high_one() {
        AlarmRule.Threshold low = new AlarmRule.Threshold("p.low", "A002", "p", AlarmRule.Side.BELOW, 4.0, 0.3,
                Duration.ofSeconds(10));
        AlarmEngine e = new AlarmEngine(List.of(low), rec);
        e.onCycle(at(0), List.of(r("p", 3.99, 0)), false);
        e.onCycle(at(9_999), List.of(r("p", 2.0, 9_999)), false);
        assertEquals(List.of(), rec.events);
        e.onCycle(at(10_000), List.of(r("p", 2.0, 10_000)), false);
        e.onCycle(at(10_100), List.of(r("p", 4.29, 10_100)), false);
        e.onCycle(at(10_200), List.of(r("p", 4.3, 10_200)), false);
        assertEquals(List.of("raised p.low 2.0 4.0 @10000", "cleared p.low @10200"), rec.events);
    }

    @Test
    void a_value_held_by_the_deadband_still_raises_when_its_time_has_come() {
        AlarmEngine e = new AlarmEngine(List.of(high(28.0, 0.5, Duration.ofSeconds(5))), rec);
        e.onCycle(at(0), List.of(r("v", 29, 0)), false);
        e.onCycle(at(4_900), List.of(), false);                  // no reading: the value did not move
        assertEquals(List.of(), rec.events);
        e.onCycle(at(5_000), List.of(), false);
        assertEquals(List.of("raised v.high 29.0 28.0 @5000"), rec.events);
    }

    @Test
    void stale_and_errored_readings_neither_raise_nor_clear_a_threshold() {
        AlarmEngine e = new AlarmEngine(List.of(high(28.0, 0.5, Duration.ZERO)), rec);
        e.onCycle(at(0), List.of(new Reading("v", 31, at(0), Quality.STALE)), false);
        assertEquals(List.of(), rec.events);
        e.onCycle(at(100), List.of(new Reading("v", 31, at(100), Quality.OUT_OF_RANGE)), false);
        e.onCycle(at(200), List.of(new Reading("v", Double.NaN, at(200), Quality.COMM_ERROR)), false);
        assertEquals(List.of("raised v.high 31.0 28.0 @100"), rec.events, "an out-of-range value is a real value");
    }

    @Test
    void a_rate_rule_raises_on_a_fall_larger_than_allowed_within_its_window_and_clears_when_it_has_passed() {
        AlarmRule.Rate rate = new AlarmRule.Rate("p.rate", "A003", "p", 1.5, Duration.ofSeconds(1),
                AlarmRule.Trend.FALLING, Duration.ZERO);
        AlarmEngine e = new AlarmEngine(List.of(rate), rec);
        for (int i = 0; i <= 10; i++) {
            e.onCycle(at(i * 100L), List.of(r("p", 6.0 - i * 0.15, i * 100L)), false); // exactly 1.5 in 1 s
        }
        assertEquals(List.of(), rec.events, "a change of exactly maxChange is allowed");
        e.onCycle(at(1_100), List.of(r("p", 2.0, 1_100)), false);
        assertEquals(1, rec.events.size());
        assertTrue(rec.events.get(0).startsWith("raised p.rate -3.") && rec.events.get(0).endsWith(" -1.5 @1100"),
                rec.events.toString());
        e.onCycle(at(1_200), List.of(r("p", 2.0, 1_200)), false);  // the old value is still within the window
        assertEquals(1, rec.events.size());
        e.onCycle(at(2_200), List.of(r("p", 2.0, 2_200)), false);  // 1 s later the fall has left the window
        assertEquals("cleared p.rate @2200", rec.events.get(1));
    }

    @Test
    void a_rising_value_does_not_trip_a_falling_rate_rule() {
        AlarmRule.Rate rate = new AlarmRule.Rate("p.rate", "A003", "p", 1.5, Duration.ofSeconds(1),
                AlarmRule.Trend.FALLING, Duration.ZERO);
        AlarmEngine e = new AlarmEngine(List.of(rate), rec);
        e.onCycle(at(0), List.of(r("p", 2.0, 0)), false);
        e.onCycle(at(100), List.of(r("p", 6.0, 100)), false);
        assertEquals(List.of(), rec.events);
    }

    @Test
    void a_stuck_sensor_counts_only_time_in_treatment_and_clears_at_the_first_change() {
        AlarmRule.Stuck stuck = new AlarmRule.Stuck("w.stuck", "A004", "w", Duration.ofSeconds(2), 0.0, true);
        AlarmEngine e = new AlarmEngine(List.of(stuck), rec);
        e.onCycle(at(0), List.of(r("w", 2.2, 0)), true);
        for (long t = 100; t <= 5_000; t += 100) {
            e.onCycle(at(t), List.of(r("w", 2.2, t)), false);    // not in treatment: does not count
        }
        for (long t = 5_100; t <= 6_900; t += 100) {
            e.onCycle(at(t), List.of(r("w", 2.2, t)), true);     // 1.9 s of treatment
        }
        assertEquals(List.of(), rec.events);
        e.onCycle(at(7_000), List.of(r("w", 2.2, 7_000)), true); // 2.0 s
        assertEquals(List.of("raised w.stuck 2.2 0.0 @7000"), rec.events);
        e.onCycle(at(7_100), List.of(r("w", 2.201, 7_100)), true);
        assertEquals("cleared w.stuck @7100", rec.events.get(1));
    }

    @Test
    void a_change_within_the_tolerance_is_still_stuck() {
        AlarmRule.Stuck stuck = new AlarmRule.Stuck("w.stuck", "A004", "w", Duration.ofSeconds(1), 0.02, false);
        AlarmEngine e = new AlarmEngine(List.of(stuck), rec);
        for (long t = 0; t <= 1_000; t += 100) {
            e.onCycle(at(t), List.of(r("w", 2.2 + (t % 200 == 100 ? 0.01 : 0), t)), false);
        }
        assertEquals(List.of("raised w.stuck 2.2 0.02 @1000"), rec.events);
    }

    @Test
    void out_of_range_is_judged_by_the_valid_range_or_the_quality_for_its_minimum_duration() {
        AlarmRule.OutOfRange oor = new AlarmRule.OutOfRange("v.outOfRange", "A005", "v", 18.0, 30.0,
                Duration.ofSeconds(1));
        AlarmEngine e = new AlarmEngine(List.of(oor), rec);
        e.onCycle(at(0), List.of(r("v", 30.0, 0)), false);                // the bound itself is valid
        e.onCycle(at(100), List.of(r("v", 30.01, 100)), false);
        e.onCycle(at(1_099), List.of(new Reading("v", 25, at(1_099), Quality.OUT_OF_RANGE)), false);
        assertEquals(List.of(), rec.events);
        e.onCycle(at(1_100), List.of(r("v", 31.2, 1_100)), false);
        assertEquals(List.of("raised v.outOfRange 31.2 30.0 @1100"), rec.events);
        e.onCycle(at(1_200), List.of(r("v", 18.0, 1_200)), false);
        assertEquals("cleared v.outOfRange @1200", rec.events.get(1));
    }

    @Test
    void a_silent_board_raises_after_its_period_of_failed_or_stale_cycles_and_clears_when_heard() {
        AlarmRule.BoardSilent silent = new AlarmRule.BoardSilent("board.silent", "A010", Duration.ofSeconds(5));
        AlarmEngine e = new AlarmEngine(List.of(silent), rec);
        e.onCycle(at(0), List.of(r("v", 24, 0)), false);
        e.onFailedCycle(at(1_000));                                          // silent from 1 s
        e.onCycle(at(2_000), List.of(new Reading("v", 24, at(2_000), Quality.STALE)), false);
        e.onCycle(at(3_000), List.of(), false);                              // nothing due: no news
        e.onFailedCycle(at(5_999));
        assertEquals(List.of(), rec.events);
        e.onFailedCycle(at(6_000));
        assertEquals(List.of("raised board.silent 5.0 5.0 @6000"), rec.events);
        e.onCycle(at(6_100), List.of(new Reading("v", Double.NaN, at(6_100), Quality.COMM_ERROR)), false);
        assertEquals(1, rec.events.size());
        e.onCycle(at(6_200), List.of(r("v", 24, 6_200)), false);
        assertEquals("cleared board.silent @6200", rec.events.get(1));
    }

    @Test
    void a_gpio_input_raises_after_its_minimum_duration_also_between_its_changes() {
        AlarmRule.GpioInput bottle = new AlarmRule.GpioInput("gpio.water_bottle_low", "A191", "water_bottle_low",
                true, Duration.ofSeconds(2));
        AlarmEngine e = new AlarmEngine(List.of(bottle), rec);
        e.gpioState("water_bottle_low", false, at(0));
        e.onGpio("water_bottle_low", true, at(1_000));
        e.onCycle(at(2_999), List.of(), false);
        assertEquals(List.of(), rec.events);
        e.onFailedCycle(at(3_000));
        assertEquals(List.of("raised gpio.water_bottle_low 1.0 1.0 @3000"), rec.events);
        e.onGpio("water_bottle_low", false, at(3_500));
        assertEquals("cleared gpio.water_bottle_low @3500", rec.events.get(1));
        e.onGpio("other_line", true, at(4_000));
        assertEquals(2, rec.events.size());
    }

    @Test
    void an_alarm_active_before_a_restart_starts_active_and_clears_when_its_cause_is_gone() {
        AlarmEngine e = new AlarmEngine(List.of(high(28.0, 0.5, Duration.ofSeconds(5))), rec);
        e.restoreActive(Set.of("v.high"));
        assertEquals(Set.of("v.high"), e.active());
        e.onCycle(at(0), List.of(r("v", 29, 0)), false);
        assertEquals(List.of(), rec.events, "not raised a second time");
        e.onCycle(at(100), List.of(r("v", 24, 100)), false);
        assertEquals(List.of("cleared v.high @100"), rec.events);
    }
}
