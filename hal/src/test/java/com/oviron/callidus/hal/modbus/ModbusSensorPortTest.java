package com.oviron.callidus.hal.modbus;

import com.oviron.callidus.hal.fake.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.fake.SerialPipe;
import com.oviron.callidus.hal.sim.MapRegisterBank;
import com.oviron.callidus.hal.sim.ModbusRtuSlave;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Modbus sensor port against the project's slave over an in-memory null-modem pipe. */
class ModbusSensorPortTest {
    private static final SerialSettings LINE = SerialSettings.of("pipe", 115_200);
    /**
     * How long the master waits for an answer. The slave answers at once on another thread, which a loaded
     * build machine may not run for a while: a short timeout would turn a slow machine into STALE readings.
     * A test waits for it only when the slave stays silent on purpose, or when a loaded machine stalls the
     * master between two bytes of a request for longer than the slave's inter-character wait (the slave then
     * drops the request, as a real one would; the master's retry gets the reading through).
     */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(1);


    private final ManualClock clock = new ManualClock();
    private final SerialPipe pipe = new SerialPipe();
    private RegisterMap map;
    private MapRegisterBank bank;
    private ModbusRtuSlave slave;
    private ModbusSensorPort port;

    @BeforeEach
    void setUp() throws Exception {
        map = slowDeadbandsOnly(RegisterMapLoader.loadDefault());
        bank = new MapRegisterBank(map);
        Map<String, Double> values = new HashMap<>(Map.of("supply_voltage", 24.1, "motor1_current", 1.8,
                "motor2_current", 0.0, "main_air_pressure", 5.75, "turbine_air_pressure", 2.8,
                "water_pressure", 2.2, "water_temperature", 36.9, "suction_vacuum", -18.25,
                "board_temperature", 41.5));
        values.forEach(bank::set);
        slave = new ModbusRtuSlave(pipe.b(), LINE, 1, bank, false, 1).start();
        port = port(8, 2);
    }

    /**
     * The shipped map with its periods, and deadbands only on its two slow (1 s) channels: the board's values
     * stay constant in these tests, so the fast channels' deadbands would hide every reading after the first.
     */
    private static RegisterMap slowDeadbandsOnly(RegisterMap shipped) {
        return new RegisterMap(shipped.name(), shipped.channels().stream()
                .map(c -> c.samplePeriod().toMillis() >= 1000 ? c : new RegisterChannel(c.channel(), c.kind(),
                        c.address(), c.type(), c.wordOrder(), c.scale(), c.offset(), c.samplePeriod(), 0,
                        c.validMin(), c.validMax()))
                .toList());
    }

    @Test
    void the_shipped_map_reports_a_steady_fast_channel_once_and_then_each_move_beyond_its_deadband()
            throws Exception {
        port.close();
        map = RegisterMapLoader.loadDefault();
        port = port(8, 2);
        assertEquals(9, port.sample().size());
        clock.advance(Duration.ofMillis(100));
        bank.set("supply_voltage", 24.15); // deadband 0.1 V
        assertEquals(List.of(), port.sample(), "nothing moved beyond its deadband");
        clock.advance(Duration.ofMillis(100));
        bank.set("supply_voltage", 23.9);
        assertEquals(List.of("supply_voltage"), port.sample().stream().map(Reading::channelId).toList());
    }

    private ModbusSensorPort port(int maxGap, int retries) {
        ModbusRtuMaster master = new ModbusRtuMaster(pipe.a(), LINE, ANSWER_TIMEOUT, retries);
        // the pipe outlives the ports of one test: tests re-create the port with other settings
        return new ModbusSensorPort(master, map, 1, maxGap, clock, () -> { });
    }

    @AfterEach
    void tearDown() {
        port.close();
        slave.close();
        pipe.a().close();
        pipe.b().close();
    }

    private static Map<String, Reading> byId(List<Reading> readings) {
        Map<String, Reading> out = new HashMap<>();
        readings.forEach(r -> out.put(r.channelId(), r));
        return out;
    }

    @Test
    void reads_every_channel_with_its_value_and_good_quality() throws Exception {
        Map<String, Reading> r = byId(port.sample());
        assertEquals(9, r.size());
        assertEquals(24.1, r.get("supply_voltage").value(), 1e-9);
        assertEquals(5.75, r.get("main_air_pressure").value(), 1e-6);
        assertEquals(-18.25, r.get("suction_vacuum").value(), 1e-9);
        assertEquals(41.5, r.get("board_temperature").value(), 1e-9);
        r.values().forEach(x -> assertEquals(Quality.GOOD, x.quality(), x.toString()));
        r.values().forEach(x -> assertEquals(clock.instant(), x.timestamp()));
    }

    @Test
    void coalesces_the_map_into_one_request_per_cycle_when_the_gap_allows() throws Exception {
        long before = slave.requests();
        port.sample();
        assertEquals(1, slave.requests() - before, "input registers 0..17 in one request");
        port.close();
        port = port(4, 2);
        before = slave.requests();
        port.sample();
        assertEquals(2, slave.requests() - before, "the gap 11..15 is above 4: two requests");
    }

    @Test
    void reads_each_channel_at_its_own_period() throws Exception {
        port.sample();
        clock.advance(Duration.ofMillis(100));
        Map<String, Reading> fast = byId(port.sample());
        assertEquals(7, fast.size());
        assertTrue(!fast.containsKey("water_temperature") && !fast.containsKey("board_temperature"));
        clock.advance(Duration.ofMillis(900));
        bank.set("water_temperature", 37.5);
        Map<String, Reading> slow = byId(port.sample());
        assertTrue(slow.containsKey("water_temperature"));
    }

    @Test
    void keeps_reading_when_the_wall_clock_steps_back() throws Exception {
        port.sample();
        clock.advance(Duration.ofHours(-1)); // NTP correction on a controller without a real-time clock
        bank.set("water_temperature", 38.0); // beyond their deadbands, so they are reported when read
        bank.set("board_temperature", 43.0);
        assertEquals(9, port.sample().size(), "every channel read again at once, not an hour later");
        clock.advance(Duration.ofMillis(100));
        assertEquals(7, port.sample().size(), "then each at its own period again");
    }

    @Test
    void a_value_inside_the_deadband_is_not_reported_again() throws Exception {
        port.sample();
        bank.set("board_temperature", 41.53); // deadband 0.05
        clock.advance(Duration.ofSeconds(1));
        assertTrue(!byId(port.sample()).containsKey("board_temperature"));
        bank.set("board_temperature", 41.7);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(41.7, byId(port.sample()).get("board_temperature").value(), 1e-9);
    }

    @Test
    void a_value_outside_the_valid_range_is_flagged_and_kept() throws Exception {
        bank.set("supply_voltage", 33.0);
        Reading r = byId(port.sample()).get("supply_voltage");
        assertEquals(Quality.OUT_OF_RANGE, r.quality());
        assertEquals(33.0, r.value(), 1e-9);
    }

    @Test
    void a_silent_board_gives_stale_readings_with_the_last_good_value() throws Exception {
        port.close();
        port = port(8, 0); // no retries: one timeout is enough to go stale
        port.sample();
        slave.faults().setSilent(true);
        clock.advance(Duration.ofSeconds(1));
        Map<String, Reading> r = byId(port.sample());
        assertEquals(9, r.size());
        assertEquals(Quality.STALE, r.get("supply_voltage").quality());
        assertEquals(24.1, r.get("supply_voltage").value(), 1e-9);
        slave.faults().clear();
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Quality.GOOD, byId(port.sample()).get("supply_voltage").quality());
    }

    @Test
    void corrupted_answers_give_comm_errors_without_a_value() throws Exception {
        slave.faults().setCrcErrorPercent(100);
        Map<String, Reading> r = byId(port.sample());
        assertEquals(Quality.COMM_ERROR, r.get("main_air_pressure").quality());
        assertTrue(Double.isNaN(r.get("main_air_pressure").value()));
        assertTrue(port.stats().crcErrors() >= 3);
    }

    @Test
    void a_noisy_line_never_produces_a_wrong_value() throws Exception {
        slave.faults().setNoisePercent(30);
        slave.faults().setCrcErrorPercent(20);
        port.close();
        port = port(8, 3);
        int good = 0;
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofSeconds(1));
            for (Reading r : port.sample()) {
                if (r.quality() == Quality.GOOD) {
                    good++;
                    assertEquals(expected(r.channelId()), r.value(), 1e-6, r.toString());
                } else {
                    assertTrue(r.quality() == Quality.COMM_ERROR || r.quality() == Quality.STALE, r.toString());
                }
            }
        }
        assertTrue(good > 900, "retries should get most readings through, got " + good);
        assertTrue(port.stats().crcErrors() + port.stats().timeouts() + port.stats().malformed() > 20,
                port.stats().toString());
    }

    private static double expected(String id) {
        return switch (id) {
            case "supply_voltage" -> 24.1;
            case "motor1_current" -> 1.8;
            case "motor2_current" -> 0.0;
            case "main_air_pressure" -> 5.75;
            case "turbine_air_pressure" -> 2.8;
            case "water_pressure" -> 2.2;
            case "water_temperature" -> 36.9;
            case "suction_vacuum" -> -18.25;
            case "board_temperature" -> 41.5;
            default -> throw new AssertionError(id);
        };
    }

    @Test
    void a_vanished_device_is_a_hal_exception() {
        pipe.a().close();
        HalException e = assertThrows(HalException.class, port::sample);
        assertTrue(e.getMessage().contains("serial device unavailable"), e.getMessage());
    }

    @Test
    void an_address_the_board_does_not_have_is_a_comm_error() throws Exception {
        RegisterMap wrong = RegisterMapLoader.parse("""
                {"format":1,"channels":[{"id":"ghost","name":"Ghost","unit":"V","kind":"holding","address":500,
                 "type":"u16","min":0,"max":10}]}""", "test");
        port.close();
        ModbusRtuMaster master = new ModbusRtuMaster(pipe.a(), LINE, ANSWER_TIMEOUT, 2);
        port = new ModbusSensorPort(master, wrong, 1, 8, clock, () -> { });
        Reading r = port.sample().get(0);
        assertEquals(Quality.COMM_ERROR, r.quality());
        assertEquals(1, port.stats().exceptionResponses());
    }
}
