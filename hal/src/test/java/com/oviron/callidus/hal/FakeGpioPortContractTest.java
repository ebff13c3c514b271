package com.oviron.callidus.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.fake.FakeGpioPort;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeGpioPortContractTest extends GpioPortContract {
    private static final Instant NOW = Instant.parse("2026-11-21T08:00:00Z");

    @Override
    protected GpioPort open(List<GpioLine> lines) {
        return new FakeGpioPort(lines, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Override
    protected void drive(GpioPort port, String input, boolean electricalHigh) {
        ((FakeGpioPort) port).simulateRaw(input, electricalHigh);
    }

    private FakeGpioPort fake() {
        return (FakeGpioPort) port;
    }

    @Test
    void tells_listeners_on_the_callers_thread_before_set_input_returns() {
        List<String> calls = new ArrayList<>();
        port.addListener((input, active, at) -> calls.add(Thread.currentThread().getName() + ":" + input));
        fake().setInput("foot_control", true);
        assertEquals(List.of(Thread.currentThread().getName() + ":foot_control"), calls);
        assertEquals(new Change("foot_control", true, NOW), changes.poll());
    }

    @Test
    void setting_the_state_an_input_already_has_tells_nobody() {
        fake().setInput("foot_control", false);
        fake().setInput("instrument_active", true);
        fake().setInput("instrument_active", true);
        assertEquals(List.of(new Change("instrument_active", true, NOW)), List.copyOf(changes));
    }

    @Test
    void fails_the_next_writes_when_told_to_and_then_recovers() throws HalException {
        fake().failNextSets(1);
        assertThrows(HalException.class, () -> port.set("status_led", true));
        assertFalse(port.isOutputActive("status_led"));
        port.set("status_led", true);
        assertTrue(port.isOutputActive("status_led"));
    }
}
