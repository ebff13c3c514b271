package com.oviron.callidus.hal;

import com.oviron.callidus.hal.fake.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.fake.FakeGpioPort;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TreatmentDetectorTest {
    private static final Duration HOLD_OFF = Duration.ofSeconds(30);
    private static final Set<String> ACTIVITY = Set.of("foot_control", "instrument_active");


    private final ManualClock clock = new ManualClock();
    private final FakeGpioPort port = new FakeGpioPort(List.of(
            GpioLine.input("foot_control", 17, true, Duration.ofMillis(20), GpioPull.UP),
            GpioLine.input("instrument_active", 27, false, Duration.ZERO, GpioPull.DOWN),
            GpioLine.input("water_bottle_low", 5, true, Duration.ZERO, GpioPull.UP),
            GpioLine.output("status_led", 23, false)), clock);

    private TreatmentDetector detector() {
        return new TreatmentDetector(port, ACTIVITY, HOLD_OFF, clock);
    }

    @Test
    void is_not_in_progress_before_any_activity() {
        TreatmentDetector detector = detector();
        assertFalse(detector.inProgress());
        assertEquals(Optional.empty(), detector.lastActivity());
    }

    @Test
    void is_in_progress_for_as_long_as_an_activity_input_is_active() {
        TreatmentDetector detector = detector();
        port.setInput("foot_control", true);
        clock.advance(Duration.ofHours(2));
        assertTrue(detector.inProgress());
        assertEquals(Optional.of(clock.instant()), detector.lastActivity());
    }

    @Test
    void stays_in_progress_until_exactly_the_hold_off_after_release() {
        TreatmentDetector detector = detector();
        port.setInput("foot_control", true);
        clock.advance(Duration.ofSeconds(10));
        Instant released = clock.instant();
        port.setInput("foot_control", false);

        assertTrue(detector.inProgress(), "at release");
        clock.set(released.plus(HOLD_OFF).minusNanos(1));
        assertTrue(detector.inProgress(), "1 ns before the hold-off ends");
        clock.set(released.plus(HOLD_OFF));
        assertFalse(detector.inProgress(), "when the hold-off ends");
        assertEquals(Optional.of(released), detector.lastActivity());
    }

    @Test
    void a_new_press_within_the_hold_off_restarts_it_from_the_next_release() {
        TreatmentDetector detector = detector();
        port.setInput("foot_control", true);
        port.setInput("foot_control", false);
        clock.advance(HOLD_OFF.minusSeconds(1));
        port.setInput("foot_control", true);
        clock.advance(Duration.ofSeconds(5));
        Instant released = clock.instant();
        port.setInput("foot_control", false);

        clock.set(released.plus(HOLD_OFF).minusMillis(1));
        assertTrue(detector.inProgress());
        clock.set(released.plus(HOLD_OFF));
        assertFalse(detector.inProgress());
    }

    @Test
    void holds_off_from_when_the_last_of_several_activity_inputs_goes_inactive() {
        TreatmentDetector detector = detector();
        port.setInput("foot_control", true);
        port.setInput("instrument_active", true);
        port.setInput("foot_control", false);
        clock.advance(HOLD_OFF.multipliedBy(3));
        assertTrue(detector.inProgress(), "the instrument is still active");

        Instant lastReleased = clock.instant();
        port.setInput("instrument_active", false);
        clock.set(lastReleased.plus(HOLD_OFF).minusMillis(1));
        assertTrue(detector.inProgress());
        clock.set(lastReleased.plus(HOLD_OFF));
        assertFalse(detector.inProgress());
        assertEquals(Optional.of(lastReleased), detector.lastActivity());
    }

    @Test
    void ignores_inputs_that_do_not_mean_treatment() {
        TreatmentDetector detector = detector();
        port.setInput("water_bottle_low", true);
        port.setInput("water_bottle_low", false);
        assertFalse(detector.inProgress());
        assertEquals(Optional.empty(), detector.lastActivity());
    }

    @Test
    void counts_an_input_that_is_already_active_when_it_starts() {
        port.setInput("instrument_active", true);
        TreatmentDetector detector = detector();
        assertTrue(detector.inProgress());

        Instant released = clock.instant().plusSeconds(7);
        clock.set(released);
        port.setInput("instrument_active", false);
        clock.set(released.plus(HOLD_OFF).minusMillis(1));
        assertTrue(detector.inProgress());
    }

    @Test
    void with_no_hold_off_ends_at_the_release() {
        TreatmentDetector detector = new TreatmentDetector(port, ACTIVITY, Duration.ZERO, clock);
        port.setInput("foot_control", true);
        port.setInput("foot_control", false);
        assertFalse(detector.inProgress());
        assertEquals(Optional.of(clock.instant()), detector.lastActivity());
    }

    @Test
    void refuses_activity_names_that_are_not_inputs_of_the_port() {
        String unknown = assertThrows(IllegalArgumentException.class,
                () -> new TreatmentDetector(port, Set.of("turbine"), HOLD_OFF, clock)).getMessage();
        String output = assertThrows(IllegalArgumentException.class,
                () -> new TreatmentDetector(port, Set.of("status_led"), HOLD_OFF, clock)).getMessage();
        assertTrue(unknown.contains("turbine"), unknown);
        assertTrue(output.contains("status_led"), output);
        assertThrows(IllegalArgumentException.class,
                () -> new TreatmentDetector(port, Set.of(), HOLD_OFF, clock));
        assertThrows(IllegalArgumentException.class,
                () -> new TreatmentDetector(port, ACTIVITY, Duration.ofSeconds(-1), clock));
    }
}
