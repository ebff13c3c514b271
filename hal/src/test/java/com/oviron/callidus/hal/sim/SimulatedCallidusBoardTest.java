package com.oviron.callidus.hal.sim;

import com.oviron.callidus.hal.fake.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedCallidusBoardTest {


    private static List<List<Reading>> run(long seed, Duration step, int samples) {
        ManualClock clock = new ManualClock();
        SimulatedCallidusBoard board = new SimulatedCallidusBoard(clock, seed);
        List<List<Reading>> out = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            clock.advance(step);
            out.add(board.sample());
        }
        return out;
    }

    @Test
    void gives_one_good_reading_per_channel_in_channel_order_stamped_with_the_clock() {
        ManualClock clock = new ManualClock();
        SimulatedCallidusBoard board = new SimulatedCallidusBoard(clock, 1);
        List<Reading> sample = board.sample();
        assertEquals(board.channels().size(), sample.size());
        for (int i = 0; i < sample.size(); i++) {
            assertEquals(board.channels().get(i).id(), sample.get(i).channelId());
            assertEquals(Quality.GOOD, sample.get(i).quality());
            assertEquals(clock.instant(), sample.get(i).timestamp());
        }
    }

    @Test
    void covers_the_electrical_and_pneumatic_parameters_of_the_unit() {
        List<String> ids = SimulatedCallidusBoard.CHANNELS.stream().map(Channel::id).toList();
        assertTrue(ids.containsAll(List.of("supply_voltage", "motor1_current", "motor2_current",
                "main_air_pressure", "turbine_air_pressure", "water_pressure", "water_temperature",
                "suction_vacuum", "board_temperature")), ids.toString());
    }

    @Test
    void is_deterministic_for_a_seed_and_differs_between_seeds() {
        assertEquals(run(7, Duration.ofMillis(100), 500), run(7, Duration.ofMillis(100), 500));
        assertTrue(!run(7, Duration.ofMillis(100), 50).equals(run(8, Duration.ofMillis(100), 50)));
    }

    @Test
    void keeps_every_signal_in_its_physical_range_over_a_simulated_hour() {
        Map<String, double[]> range = new HashMap<>();
        range.put("supply_voltage", new double[] {22.5, 24.6});
        range.put("motor1_current", new double[] {0, 2.6});
        range.put("motor2_current", new double[] {0, 2.1});
        range.put("main_air_pressure", new double[] {4.8, 6.7});
        range.put("turbine_air_pressure", new double[] {0, 3.0});
        range.put("water_pressure", new double[] {1.7, 2.4});
        range.put("water_temperature", new double[] {35.5, 37.6});
        range.put("suction_vacuum", new double[] {-19.5, 0.6});
        range.put("board_temperature", new double[] {37.0, 47.0});
        for (List<Reading> sample : run(42, Duration.ofMillis(500), 7200)) {
            for (Reading r : sample) {
                double[] allowed = range.get(r.channelId());
                assertTrue(r.value() >= allowed[0] && r.value() <= allowed[1],
                        r.channelId() + "=" + r.value() + " outside " + allowed[0] + ".." + allowed[1]);
            }
        }
    }

    @Test
    void uses_the_turbine_and_both_motors_during_an_hour_of_work() {
        double maxTurbine = 0;
        double maxMotor1 = 0;
        double maxMotor2 = 0;
        for (List<Reading> sample : run(3, Duration.ofMillis(500), 7200)) {
            maxTurbine = Math.max(maxTurbine, sample.get(4).value());
            maxMotor1 = Math.max(maxMotor1, sample.get(1).value());
            maxMotor2 = Math.max(maxMotor2, sample.get(2).value());
        }
        assertTrue(maxTurbine > 2.5, "turbine never ran: " + maxTurbine);
        assertTrue(maxMotor1 > 1.5, "motor 1 never ran: " + maxMotor1);
        assertTrue(maxMotor2 > 1.1, "motor 2 never ran: " + maxMotor2);
    }

    @Test
    void follows_the_clinics_day_busy_in_surgery_hours_quiet_at_night() {
        assertEquals(0.5, SimulatedCallidusBoard.usageShare(java.time.Instant.parse("2026-11-23T10:30:00Z")));
        assertEquals(0.2, SimulatedCallidusBoard.usageShare(java.time.Instant.parse("2026-11-23T12:10:00Z")));
        assertEquals(0.05, SimulatedCallidusBoard.usageShare(java.time.Instant.parse("2026-11-23T02:00:00Z")));
        double dayTurbine = turbineShare("2026-11-23T09:00:00Z");
        double nightTurbine = turbineShare("2026-11-23T01:00:00Z");
        assertTrue(dayTurbine > 4 * nightTurbine, "day " + dayTurbine + " night " + nightTurbine);
    }

    /** Share of an hour of samples in which the turbine is running. */
    private static double turbineShare(String start) {
        ManualClock clock = new ManualClock(java.time.Instant.parse(start));
        SimulatedCallidusBoard board = new SimulatedCallidusBoard(clock, 11);
        int running = 0;
        for (int i = 0; i < 3600; i++) {
            clock.advance(Duration.ofSeconds(1));
            if (board.sample().get(4).value() > 1.0) {
                running++;
            }
        }
        return running / 3600.0;
    }

    @Test
    void refuses_to_sample_after_close() {
        SimulatedCallidusBoard board = new SimulatedCallidusBoard(new ManualClock(), 1);
        board.close();
        assertThrows(IllegalStateException.class, board::sample);
    }
}
