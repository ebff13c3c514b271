package com.oviron.callidus.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class GpioLineTest {

    private static String rejection(Executable construct) {
        return assertThrows(IllegalArgumentException.class, construct).getMessage();
    }

    private static void assertMentions(String message, String... words) {
        for (String word : words) {
            assertTrue(message.contains(word), "'" + message + "' does not mention " + word);
        }
    }

    @Test
    void accepts_a_typical_input_and_output() {
        GpioLine foot = GpioLine.input("foot_control", 17, true, Duration.ofMillis(20), GpioPull.UP);
        GpioLine led = GpioLine.output("status_led", 23, false);
        assertEquals(GpioDirection.INPUT, foot.direction());
        assertTrue(foot.isInput());
        assertEquals(Duration.ofMillis(20), foot.debounce());
        assertEquals(GpioDirection.OUTPUT, led.direction());
        assertEquals(Duration.ZERO, led.debounce());
        assertEquals(GpioPull.NONE, led.pull());
    }

    @Test
    void a_name_must_be_a_short_lower_case_id() {
        assertMentions(rejection(() -> GpioLine.output("Status LED", 23, false)), "name", "Status LED");
        assertMentions(rejection(() -> GpioLine.output("a".repeat(33), 23, false)), "name");
        assertMentions(rejection(() -> GpioLine.output("9led", 23, false)), "name", "9led");
        assertEquals("a".repeat(32), GpioLine.output("a".repeat(32), 23, false).name());
    }

    @Test
    void a_pin_outside_0_to_63_names_the_line_and_the_pin() {
        assertMentions(rejection(() -> GpioLine.output("status_led", 64, false)), "status_led", "pin", "64");
        assertMentions(rejection(() -> GpioLine.output("status_led", -1, false)), "status_led", "pin", "-1");
        assertEquals(63, GpioLine.output("status_led", 63, false).pin());
        assertEquals(0, GpioLine.output("status_led", 0, false).pin());
    }

    @Test
    void a_debounce_outside_0_to_1_s_names_the_line_and_the_debounce() {
        assertMentions(rejection(() -> GpioLine.input("foot_control", 17, true, Duration.ofMillis(1001),
                GpioPull.UP)), "foot_control", "debounce", "1001");
        assertMentions(rejection(() -> GpioLine.input("foot_control", 17, true, Duration.ofMillis(-1),
                GpioPull.UP)), "foot_control", "debounce");
        assertEquals(Duration.ofSeconds(1),
                GpioLine.input("foot_control", 17, true, Duration.ofSeconds(1), GpioPull.UP).debounce());
    }

    @Test
    void debounce_and_pull_are_for_inputs_only() {
        assertMentions(rejection(() -> new GpioLine("service_relay", 24, GpioDirection.OUTPUT, false,
                Duration.ofMillis(5), GpioPull.NONE)), "service_relay", "debounce", "inputs only");
        assertMentions(rejection(() -> new GpioLine("service_relay", 24, GpioDirection.OUTPUT, false,
                Duration.ZERO, GpioPull.UP)), "service_relay", "pull", "inputs only");
    }

    @Test
    void missing_fields_are_named() {
        assertMentions(assertThrows(NullPointerException.class, () -> new GpioLine("cover_interlock", 22,
                null, false, Duration.ZERO, GpioPull.NONE)).getMessage(), "cover_interlock", "direction");
        assertMentions(assertThrows(NullPointerException.class, () -> new GpioLine("cover_interlock", 22,
                GpioDirection.INPUT, false, null, GpioPull.NONE)).getMessage(), "cover_interlock", "debounce");
        assertMentions(assertThrows(NullPointerException.class, () -> new GpioLine("cover_interlock", 22,
                GpioDirection.INPUT, false, Duration.ZERO, null)).getMessage(), "cover_interlock", "pull");
    }

    @Test
    void the_lines_of_one_port_need_distinct_names_and_pins() {
        GpioLine foot = GpioLine.input("foot_control", 17, true, Duration.ZERO, GpioPull.UP);
        assertMentions(rejection(() -> GpioLine.requireDistinct(List.of(foot,
                GpioLine.output("foot_control", 18, false)))), "foot_control", "twice");
        assertMentions(rejection(() -> GpioLine.requireDistinct(List.of(foot,
                GpioLine.output("status_led", 17, false)))), "status_led", "17", "foot_control");
        List<GpioLine> ok = List.of(foot, GpioLine.output("status_led", 23, false));
        assertEquals(ok, GpioLine.requireDistinct(ok));
    }
}
