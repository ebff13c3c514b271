package com.oviron.callidus.hal.pi4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.GpioLine;
import com.oviron.callidus.hal.GpioProvider;
import com.oviron.callidus.hal.GpioPull;
import com.oviron.callidus.hal.HalException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What only the Pi4J port does; the behaviour shared with the fake is in {@code GpioPortContract}. */
class Pi4jGpioPortTest {
    private static final Duration DEBOUNCE = Duration.ofMillis(50);
    /** Deadline for a change to be reported; a passing run never waits this long. */
    private static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * The longest debounce a line may have: two back-to-back calls take far less, even when a loaded build
     * machine preempts the test's thread between them (a glitch must stay shorter than the debounce).
     */
    private static final Duration LONG_DEBOUNCE = Duration.ofSeconds(1);
    private static final List<GpioLine> LINES = List.of(
            GpioLine.input("foot_control", 17, true, DEBOUNCE, GpioPull.UP),
            GpioLine.input("cover_interlock", 22, false, LONG_DEBOUNCE, GpioPull.NONE),
            GpioLine.input("instrument_active", 27, false, Duration.ZERO, GpioPull.DOWN),
            GpioLine.output("status_led", 23, false),
            GpioLine.output("service_relay", 24, true));

    /** Every reading is one millisecond later than the one before, so every event has its own time. */
    static final class TickingClock extends Clock {
        private final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-21T08:00:00Z").toEpochMilli());

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.incrementAndGet());
        }
    }

    record Change(String input, boolean active, Instant at, String thread, long nanos) {
    }

    private final List<Pi4jGpioPort> opened = new ArrayList<>();

    private Pi4jGpioPort open(Clock clock, BlockingQueue<Change> changes) throws HalException {
        Pi4jGpioPort port = new Pi4jGpioPort(LINES, GpioProvider.MOCK, clock);
        opened.add(port);
        port.addListener((input, active, at) ->
                changes.add(new Change(input, active, at, Thread.currentThread().getName(), System.nanoTime())));
        return port;
    }

    private static Change next(BlockingQueue<Change> changes) throws InterruptedException {
        Change change = changes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(change, "no gpio change reported within " + WAIT);
        return change;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(Pi4jGpioPort::close);
    }

    @Test
    void calls_listeners_on_the_gpio_events_thread() throws Exception {
        BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
        Pi4jGpioPort port = open(Clock.systemUTC(), changes);
        port.simulateRaw("instrument_active", true);
        assertEquals("gpio-events", next(changes).thread());
    }

    @Test
    void reports_a_change_no_sooner_than_the_debounce_time_after_the_edge() throws Exception {
        BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
        Pi4jGpioPort port = open(Clock.systemUTC(), changes);
        long edge = System.nanoTime();
        port.simulateRaw("foot_control", false);
        Change pressed = next(changes);
        assertTrue(pressed.active());
        assertTrue(pressed.nanos() - edge >= DEBOUNCE.toNanos(),
                "reported after " + (pressed.nanos() - edge) / 1_000 + " µs");
    }

    @Test
    void ignores_a_glitch_shorter_than_the_debounce_time() throws Exception {
        TickingClock clock = new TickingClock();
        BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
        Pi4jGpioPort port = open(clock, changes);
        port.simulateRaw("cover_interlock", true);
        assertTrue(next(changes).active());

        // a bounce of the contact: back-to-back calls, far shorter than the debounce time
        port.simulateRaw("cover_interlock", false);
        port.simulateRaw("cover_interlock", true);
        Instant afterGlitch = clock.instant();
        port.simulateRaw("cover_interlock", false);

        // the release is the first change whose edge came after the glitch; anything reported for the glitch
        // would have been due earlier, and the single event thread delivers in due order
        List<Change> reported = new ArrayList<>();
        Change change;
        do {
            change = next(changes);
            reported.add(change);
        } while (!change.at().isAfter(afterGlitch));
        assertEquals(1, reported.size(), reported.toString());
        assertFalse(reported.get(0).active());
        assertFalse(port.isActive("cover_interlock"));
    }

    @Test
    void stamps_a_change_with_the_time_of_its_edge() throws Exception {
        TickingClock clock = new TickingClock();
        BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
        Pi4jGpioPort port = open(clock, changes);
        Instant before = clock.instant();
        port.simulateRaw("foot_control", false);
        Instant after = clock.instant();
        Change pressed = next(changes);
        assertTrue(pressed.at().isAfter(before) && pressed.at().isBefore(after),
                before + " < " + pressed.at() + " < " + after);
    }

    @Test
    void drives_an_active_low_output_low_when_it_is_active() throws Exception {
        Pi4jGpioPort port = open(Clock.systemUTC(), new LinkedBlockingQueue<>());
        assertTrue(port.isOutputHigh("service_relay"), "an inactive active-low output is high");
        assertFalse(port.isOutputHigh("status_led"));
        port.set("service_relay", true);
        port.set("status_led", true);
        assertFalse(port.isOutputHigh("service_relay"));
        assertTrue(port.isOutputHigh("status_led"));
    }

    @Test
    void two_ports_in_one_jvm_keep_their_lines_apart() throws Exception {
        BlockingQueue<Change> first = new LinkedBlockingQueue<>();
        BlockingQueue<Change> second = new LinkedBlockingQueue<>();
        Pi4jGpioPort a = open(Clock.systemUTC(), first);
        Pi4jGpioPort b = open(Clock.systemUTC(), second);

        a.simulateRaw("instrument_active", true);
        a.set("status_led", true);
        assertEquals("instrument_active", next(first).input());
        b.simulateRaw("foot_control", false);
        // had b seen a's pin, that change would have been queued on b's thread first
        assertEquals("foot_control", next(second).input());
        assertFalse(b.isActive("instrument_active"));
        assertFalse(b.isOutputActive("status_led"));

        a.close();
        b.simulateRaw("instrument_active", true);
        assertEquals("instrument_active", next(second).input(), "b works on after a closed");
        assertTrue(first.isEmpty(), first.toString());
    }

    @Test
    void a_listener_that_throws_does_not_stop_the_others_or_later_changes() throws Exception {
        BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
        Pi4jGpioPort port = new Pi4jGpioPort(LINES, GpioProvider.MOCK);
        opened.add(port);
        port.addListener((input, active, at) -> {
            throw new IllegalStateException("listener bug");
        });
        port.addListener((input, active, at) -> changes.add(new Change(input, active, at, "", 0)));
        port.simulateRaw("instrument_active", true);
        port.simulateRaw("instrument_active", false);
        assertTrue(next(changes).active());
        assertFalse(next(changes).active());
    }

    @Test
    void simulating_a_pin_needs_the_mock_provider() throws HalException {
        // a gpiod context without lines opens on any machine; the chip is only touched per line
        Pi4jGpioPort gpiod = new Pi4jGpioPort(List.of(), GpioProvider.GPIOD);
        opened.add(gpiod);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> gpiod.simulateRaw("foot_control", true));
        assertTrue(e.getMessage().contains("MOCK"), e.getMessage());
    }

    @Test
    void refuses_a_second_gpiod_port_while_one_is_open() throws HalException {
        opened.add(new Pi4jGpioPort(List.of(), GpioProvider.GPIOD));
        HalException e = assertThrows(HalException.class,
                () -> opened.add(new Pi4jGpioPort(List.of(), GpioProvider.GPIOD)));
        assertTrue(e.getMessage().contains("another GPIOD"), e.getMessage());

        opened.remove(0).close();
        opened.add(new Pi4jGpioPort(List.of(), GpioProvider.GPIOD));
    }

    @Test
    void a_gpiod_line_that_does_not_exist_is_a_hal_exception() {
        HalException e = assertThrows(HalException.class, () -> opened.add(new Pi4jGpioPort(
                List.of(GpioLine.input("foot_control", 63, true, DEBOUNCE, GpioPull.UP)), GpioProvider.GPIOD)));
        assertTrue(e.getMessage().contains("foot_control") && e.getMessage().contains("GPIOD"), e.getMessage());
    }
}
