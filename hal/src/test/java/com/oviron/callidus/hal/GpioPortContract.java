package com.oviron.callidus.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link GpioPort} does, run against the fake and against each hardware implementation. A
 * subclass opens a port and drives its inputs the way the unit would, by electrical level.
 */
public abstract class GpioPortContract {
    /** Long enough that back-to-back calls of a test fall well inside it. */
    protected static final Duration DEBOUNCE = Duration.ofMillis(30);
    /** Deadline for anything asynchronous; a passing run never waits this long, a loaded machine may take seconds. */
    protected static final Duration WAIT = Duration.ofSeconds(30);

    /** The CALLIDUS wiring: contacts to ground with pull-ups are active low, logic-level signals active high. */
    protected static final List<GpioLine> LINES = List.of(
            GpioLine.input("foot_control", 17, true, DEBOUNCE, GpioPull.UP),
            GpioLine.input("instrument_active", 27, false, Duration.ZERO, GpioPull.DOWN),
            GpioLine.input("cover_interlock", 22, false, DEBOUNCE, GpioPull.NONE),
            GpioLine.input("water_bottle_low", 5, true, Duration.ZERO, GpioPull.UP),
            GpioLine.output("status_led", 23, false),
            GpioLine.output("service_relay", 24, true));

    /** One listener call. */
    public record Change(String input, boolean active, Instant at) {
    }

    /** Opens a port on {@code lines}; the contract closes it. */
    protected abstract GpioPort open(List<GpioLine> lines) throws Exception;

    /** Sets the electrical level of an input of {@code port}, as the unit would drive the pin. */
    protected abstract void drive(GpioPort port, String input, boolean electricalHigh);

    protected GpioPort port;
    protected final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();

    @BeforeEach
    void openPort() throws Exception {
        port = open(LINES);
        port.addListener((input, active, at) -> changes.add(new Change(input, active, at)));
    }

    @AfterEach
    void closePort() {
        port.close();
    }

    /** The next listener call, waiting for it up to {@link #WAIT}. */
    protected Change nextChange() throws InterruptedException {
        Change change = changes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(change, "no gpio change reported within " + WAIT);
        return change;
    }

    @Test
    void lists_its_lines_in_configuration_order() {
        assertEquals(LINES, port.lines());
    }

    @Test
    void inputs_and_outputs_start_inactive() {
        for (GpioLine line : LINES) {
            boolean active = line.isInput() ? port.isActive(line.name()) : port.isOutputActive(line.name());
            assertFalse(active, line.name());
        }
    }

    @Test
    void an_active_high_input_is_active_while_its_pin_is_high() throws InterruptedException {
        drive(port, "instrument_active", true);
        assertEquals("instrument_active", nextChange().input());
        assertTrue(port.isActive("instrument_active"));

        drive(port, "instrument_active", false);
        assertEquals(new Change("instrument_active", false, null), withoutTime(nextChange()));
        assertFalse(port.isActive("instrument_active"));
    }

    @Test
    void an_active_low_input_is_active_while_its_pin_is_low() throws InterruptedException {
        drive(port, "foot_control", false);
        assertEquals(new Change("foot_control", true, null), withoutTime(nextChange()));
        assertTrue(port.isActive("foot_control"));

        drive(port, "foot_control", true);
        assertEquals(new Change("foot_control", false, null), withoutTime(nextChange()));
        assertFalse(port.isActive("foot_control"));
    }

    @Test
    void reports_each_stable_change_once_and_in_order() throws InterruptedException {
        drive(port, "cover_interlock", true);
        Change opened = nextChange();
        drive(port, "cover_interlock", false);
        Change closed = nextChange();
        drive(port, "water_bottle_low", false);
        Change waterLow = nextChange();

        // a repeated or lost report would shift this sequence
        assertEquals(List.of(new Change("cover_interlock", true, null), new Change("cover_interlock", false, null),
                        new Change("water_bottle_low", true, null)),
                List.of(withoutTime(opened), withoutTime(closed), withoutTime(waterLow)));
        assertFalse(closed.at().isBefore(opened.at()), opened.at() + " then " + closed.at());
        assertTrue(changes.isEmpty(), changes.toString());
    }

    @Test
    void a_listener_already_sees_the_new_state_when_it_is_called() throws InterruptedException {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        port.addListener((input, active, at) -> seen.add(input + "=" + active + "/" + port.isActive(input)));
        drive(port, "foot_control", false);
        assertEquals("foot_control=true/true", seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        drive(port, "foot_control", true);
        assertEquals("foot_control=false/false", seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void every_listener_gets_every_change() throws InterruptedException {
        BlockingQueue<Change> second = new LinkedBlockingQueue<>();
        port.addListener((input, active, at) -> second.add(new Change(input, active, at)));
        drive(port, "instrument_active", true);
        Change first = nextChange();
        assertEquals(first, second.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void outputs_read_back_the_state_they_were_set_to() throws HalException {
        port.set("status_led", true);
        port.set("service_relay", true);
        assertTrue(port.isOutputActive("status_led"));
        assertTrue(port.isOutputActive("service_relay"));

        port.set("service_relay", false);
        assertTrue(port.isOutputActive("status_led"));
        assertFalse(port.isOutputActive("service_relay"));
    }

    @Test
    void setting_an_output_changes_no_input_and_tells_no_listener() throws HalException, InterruptedException {
        port.set("status_led", true);
        drive(port, "instrument_active", true);
        assertEquals("instrument_active", nextChange().input(), "the first change reported");
        for (GpioLine line : LINES) {
            if (line.isInput() && !line.name().equals("instrument_active")) {
                assertFalse(port.isActive(line.name()), line.name());
            }
        }
    }

    @Test
    void unknown_names_and_lines_of_the_other_direction_are_rejected() {
        List<String> messages = new ArrayList<>();
        messages.add(assertThrows(IllegalArgumentException.class, () -> port.isActive("turbine")).getMessage());
        messages.add(assertThrows(IllegalArgumentException.class, () -> port.isActive("status_led")).getMessage());
        messages.add(assertThrows(IllegalArgumentException.class, () -> port.set("turbine", true)).getMessage());
        messages.add(assertThrows(IllegalArgumentException.class, () -> port.set("foot_control", true)).getMessage());
        messages.add(assertThrows(IllegalArgumentException.class,
                () -> port.isOutputActive("foot_control")).getMessage());
        assertEquals(List.of(true, true, true, true, true), messages.stream()
                .map(m -> m.contains("turbine") || m.contains("status_led") || m.contains("foot_control"))
                .toList(), messages.toString());
    }

    @Test
    void refuses_reads_writes_and_listeners_after_close_and_closes_twice_quietly() {
        port.close();
        port.close();
        assertThrows(IllegalStateException.class, () -> port.isActive("foot_control"));
        assertThrows(IllegalStateException.class, () -> port.set("status_led", true));
        assertThrows(IllegalStateException.class, () -> port.isOutputActive("status_led"));
        assertThrows(IllegalStateException.class, () -> port.addListener((input, active, at) -> { }));
        assertEquals(LINES, port.lines());
    }

    private static Change withoutTime(Change change) {
        assertNotNull(change.at(), "a change needs a time");
        return new Change(change.input(), change.active(), null);
    }
}
