package com.oviron.callidus.tools.simulator;

import com.oviron.callidus.hal.fake.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.modbus.ModbusRtuMaster;
import com.oviron.callidus.hal.modbus.ModbusSensorPort;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.testing.SocatPty;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit simulator's fault commands, seen by the agent's Modbus port through a real pty pair. */
class UnitSimulatorIT {
    /**
     * How long the master waits for an answer: through socat and on a loaded build machine the simulator's
     * answer can take far longer than a real board's; a short timeout would make a slow machine look like a
     * silent board.
     */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(1);
    /**
     * A slow board for the "slow" fault: the master's two attempts (one retry) end after twice the timeout,
     * long before the first late answer comes, however fast or slow the machine.
     */
    private static final Duration SLOWER_THAN_THE_TIMEOUT = ANSWER_TIMEOUT.multipliedBy(4);
    /** Deadline for a fault to show in the readings; a passing run never waits this long. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private SocatPty pty;
    private UnitSimulator simulator;
    private ModbusSensorPort port;
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void start() throws Exception {
        pty = new SocatPty(dir);
        RegisterMap map = RegisterMapLoader.loadDefault();
        simulator = UnitSimulator.start(SerialSettings.of(pty.b().toString(), 115_200), map, 1, 9, Clock.systemUTC());
        SerialSettings settings = SerialSettings.of(pty.a().toString(), 115_200);
        JsscSerialLine line = JsscSerialLine.open(settings);
        // every channel on every sample: the tests look at each channel's value, also when it did not move
        port = new ModbusSensorPort(new ModbusRtuMaster(line, settings, ANSWER_TIMEOUT, 1), withoutDeadbands(map), 1, 8,
                clock, line);
    }

    private static RegisterMap withoutDeadbands(RegisterMap map) {
        return new RegisterMap(map.name(), map.channels().stream()
                .map(c -> new com.oviron.callidus.hal.modbus.RegisterChannel(c.channel(), c.kind(), c.address(),
                        c.type(), c.wordOrder(), c.scale(), c.offset(), c.samplePeriod(), 0, c.validMin(), c.validMax()))
                .toList());
    }

    @AfterEach
    void stop() {
        port.close();
        simulator.close();
        pty.close();
    }

    private Map<String, Reading> sample() throws Exception {
        clock.advance(Duration.ofSeconds(1));
        Map<String, Reading> out = new HashMap<>();
        for (Reading r : port.sample()) {
            out.put(r.channelId(), r);
        }
        return out;
    }

    @Test
    void signal_faults_change_what_the_agent_reads() throws Exception {
        double normalSupply = sample().get("supply_voltage").value();
        assertTrue(normalSupply > 22 && normalSupply < 25, "plausible supply: " + normalSupply);

        assertTrue(simulator.command("over-voltage on").startsWith("ok"));
        Reading high = await(r -> r.get("supply_voltage").quality() == Quality.OUT_OF_RANGE).get("supply_voltage");
        assertTrue(high.value() > 29, high.toString());

        assertTrue(simulator.command("pressure-drop on").startsWith("ok"));
        double air = await(r -> r.get("main_air_pressure").value() < 2.5).get("main_air_pressure").value();
        assertTrue(air < 2.5 && air > 1.0, "a third of 5..6.5 bar: " + air);

        assertTrue(simulator.command("stuck water_pressure").startsWith("ok"));
        Map<String, Reading> first = sample();
        // the board keeps changing its other signals, the stuck sensor does not
        for (int i = 0; i < 5; i++) {
            assertEquals(first.get("water_pressure").value(), sample().get("water_pressure").value());
        }
        assertTrue(simulator.command("clear").contains("over-voltage=off"));
        assertEquals(Quality.GOOD, await(r -> r.get("supply_voltage").quality() == Quality.GOOD)
                .get("supply_voltage").quality());
    }

    @Test
    void line_faults_give_stale_and_comm_error_readings_and_recover() throws Exception {
        simulator.command("silent on");
        assertEquals(Quality.STALE, sample().get("supply_voltage").quality());
        simulator.command("silent off");
        simulator.command("crc 100");
        Reading garbled = sample().get("supply_voltage");
        assertEquals(Quality.COMM_ERROR, garbled.quality());
        assertTrue(Double.isNaN(garbled.value()));
        simulator.command("crc 0");
        simulator.command("slow " + SLOWER_THAN_THE_TIMEOUT.toMillis());
        assertEquals(Quality.STALE, sample().get("supply_voltage").quality(), "an answer after the timeout");
        simulator.command("clear");
        assertEquals(Quality.GOOD, await(r -> r.get("supply_voltage").quality() == Quality.GOOD)
                .get("supply_voltage").quality());
    }

    @Test
    void unknown_commands_are_explained() {
        assertTrue(simulator.command("explode").startsWith("unknown command 'explode'"));
        assertTrue(simulator.command("stuck nothing").startsWith("unknown channel 'nothing'"));
        assertTrue(simulator.command("noise lots").contains("needs a number"));
        assertTrue(simulator.command("silent maybe").contains("on or off"));
    }

    private Map<String, Reading> await(java.util.function.Predicate<Map<String, Reading>> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Reading> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = sample();
            if (last.size() == 9 && condition.test(last)) {
                return last;
            }
        }
        throw new AssertionError("condition not met; last sample " + List.copyOf(last.values()));
    }
}
