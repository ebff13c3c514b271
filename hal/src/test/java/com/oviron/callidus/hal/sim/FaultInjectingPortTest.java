package com.oviron.callidus.hal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.fake.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FaultInjectingPortTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));

    private static Map<String, Double> values(List<Reading> readings) {
        return readings.stream().collect(Collectors.toMap(Reading::channelId, Reading::value));
    }

    @Test
    void shows_the_signal_faults_on_top_of_the_same_board_signals() throws Exception {
        FaultInjectingPort faulty = new FaultInjectingPort(new SimulatedCallidusBoard(clock, 7));
        SimulatedCallidusBoard same = new SimulatedCallidusBoard(clock, 7);
        faulty.faults().setPressureDrop(true);
        faulty.faults().setOverVoltage(true);
        Map<String, Double> shown = values(faulty.sample());
        Map<String, Double> real = values(same.sample());
        assertEquals(real.get("main_air_pressure") / 3, shown.get("main_air_pressure"), 1e-9);
        assertEquals(real.get("turbine_air_pressure") / 2, shown.get("turbine_air_pressure"), 1e-9);
        assertEquals(real.get("supply_voltage") + SignalFaults.OVER_VOLTAGE_V, shown.get("supply_voltage"), 1e-9);
        assertEquals(real.get("water_pressure"), shown.get("water_pressure"));
        faulty.faults().clear();
        clock.advance(Duration.ofMillis(100));
        assertEquals(values(same.sample()), values(faulty.sample()), "cleared: the board as it is");
    }

    @Test
    void a_stuck_sensor_keeps_its_value_while_the_others_move() throws Exception {
        FaultInjectingPort faulty = new FaultInjectingPort(new SimulatedCallidusBoard(clock, 3));
        faulty.sample();
        faulty.faults().stick("water_pressure");
        clock.advance(Duration.ofMillis(100));
        double before = values(faulty.sample()).get("water_pressure");
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofMillis(100));
            assertEquals(before, values(faulty.sample()).get("water_pressure"));
        }
        assertEquals(java.util.Set.of("water_pressure"), faulty.faults().stuckChannels());
        faulty.faults().unstickAll();
        clock.advance(Duration.ofMillis(100));
        assertTrue(values(faulty.sample()).get("water_pressure") != before, "moves again (noise)");
    }

    @Test
    void a_silent_board_fails_every_sample_until_it_speaks_again() throws Exception {
        FaultInjectingPort faulty = new FaultInjectingPort(new SimulatedCallidusBoard(clock, 1));
        faulty.setSilent(true);
        assertThrows(HalException.class, faulty::sample);
        faulty.setSilent(false);
        assertEquals(9, faulty.sample().size());
    }
}
