package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.fake.ManualClock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class InstallGateTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "02:00-04:00, 01:59:59, false",
            "02:00-04:00, 02:00:00, true",
            "02:00-04:00, 03:59:59.999, true",
            "02:00-04:00, 04:00:00, false",
            "22:00-02:00, 21:59:59, false",
            "22:00-02:00, 22:00:00, true",
            "22:00-02:00, 23:59:59.999, true",
            "22:00-02:00, 00:00:00, true",
            "22:00-02:00, 01:59:59, true",
            "22:00-02:00, 02:00:00, false",
            "22:00-02:00, 12:00:00, false",
            "00:00-00:00, 13:37:00, true",
            "23:30-00:00, 23:59:59, true",
            "23:30-00:00, 00:00:00, false",
    })
    void the_window_includes_its_start_and_excludes_its_end(String window, String time, boolean inside) {
        assertEquals(inside, MaintenanceWindow.parse(window).contains(LocalTime.parse(time)));
    }

    @Test
    void a_bad_window_is_refused_with_the_expected_form() {
        for (String bad : new String[] {"2:00-4:00", "02:00", "02:00-24:00", "aa:bb-cc:dd", "02:00-04:00-05:00", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaintenanceWindow.parse(bad));
            assertTrue(e.getMessage().contains("HH:mm-HH:mm"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MaintenanceWindow.parse(null));
    }

    @Test
    void the_gate_waits_for_the_treatment_then_for_the_window_in_local_time() {
        // 01:59:59 in Berlin (UTC+1 in November) is 00:59:59Z
        ManualClock clock = new ManualClock(Instant.parse("2026-11-22T00:59:59Z"));
        AtomicBoolean treatment = new AtomicBoolean(true);
        InstallGate gate = new InstallGate(treatment::get, MaintenanceWindow.parse("02:00-04:00"),
                ZoneId.of("Europe/Berlin"), clock);
        assertEquals(Optional.of(InstallGate.TREATMENT), gate.waitingFor(), "treatment comes first");
        treatment.set(false);
        assertEquals(Optional.of(InstallGate.WINDOW), gate.waitingFor());
        clock.advance(java.time.Duration.ofSeconds(1));
        assertEquals(Optional.empty(), gate.waitingFor(), "02:00:00 local is inside");
        treatment.set(true);
        assertEquals(Optional.of(InstallGate.TREATMENT), gate.waitingFor());
        treatment.set(false);
        clock.set(Instant.parse("2026-11-22T03:00:00Z")); // 04:00 local
        assertFalse(gate.waitingFor().isEmpty());
    }
}
