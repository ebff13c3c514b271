package com.oviron.callidus.hal.modbus;

import com.oviron.callidus.hal.fake.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.serial.ReopeningSerialLine;
import com.oviron.callidus.hal.sim.MapRegisterBank;
import com.oviron.callidus.hal.sim.ModbusRtuSlave;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
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

/**
 * The agent's jssc transport and Modbus sensor port against the project's simulated board, through a real
 * pseudo-terminal pair made by socat: values, line noise, and the device vanishing and coming back.
 */
class ModbusOverPtyIT {
    private static final int BAUD = 115_200;
    /**
     * How long the master waits for an answer: the simulated slave answers at line rate, but through socat and
     * on a loaded build machine an answer can take far longer than a real board's; a short timeout would make
     * a slow machine look like a silent board.
     */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(1);
    /** Deadline for the device to come back; a passing run never waits this long. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private SocatPty pty;
    private RegisterMap map;
    private MapRegisterBank bank;
    private JsscSerialLine slaveLine;
    private ModbusRtuSlave slave;
    private ReopeningSerialLine masterLine;
    private ModbusSensorPort port;
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void start() throws Exception {
        pty = new SocatPty(dir);
        map = RegisterMapLoader.loadDefault();
        bank = new MapRegisterBank(map);
        bank.update(new SimulatedCallidusBoard(Clock.systemUTC(), 5).sample());
        startSlave();
        SerialSettings settings = SerialSettings.of(pty.a().toString(), BAUD);
        masterLine = new ReopeningSerialLine(settings.device(), () -> JsscSerialLine.open(settings),
                Duration.ofMillis(50), Duration.ofMillis(400));
        ModbusRtuMaster master = new ModbusRtuMaster(masterLine, settings, ANSWER_TIMEOUT, 2);
        port = new ModbusSensorPort(master, map, 1, 8, clock, masterLine);
    }

    private void startSlave() throws Exception {
        slaveLine = JsscSerialLine.open(SerialSettings.of(pty.b().toString(), BAUD));
        slave = new ModbusRtuSlave(slaveLine, SerialSettings.of(pty.b().toString(), BAUD), 1, bank, true, 3).start();
    }

    private void stopSlave() {
        slave.close();
        slaveLine.close();
    }

    @AfterEach
    void stop() {
        port.close();
        stopSlave();
        pty.close();
    }

    private Map<String, Double> expected() {
        Map<String, Double> out = new HashMap<>();
        for (RegisterChannel c : map.channels()) {
            out.put(c.channel().id(), c.decode(wordsOf(c), 0));
        }
        return out;
    }

    private int[] wordsOf(RegisterChannel c) {
        int[] words = new int[c.type().width()];
        for (int i = 0; i < words.length; i++) {
            words[i] = bank.register(c.kind(), c.address() + i);
        }
        return words;
    }

    @Test
    void reads_the_simulated_board_through_a_real_pty() throws Exception {
        List<Reading> readings = port.sample();
        assertEquals(9, readings.size());
        Map<String, Double> expected = expected();
        for (Reading r : readings) {
            assertEquals(Quality.GOOD, r.quality(), r.toString());
            assertEquals(expected.get(r.channelId()), r.value(), 1e-9, r.channelId());
        }
        assertEquals(1, slave.requests(), "one coalesced request for the whole map");
    }

    @Test
    void under_line_noise_it_reports_errors_and_never_a_wrong_value() throws Exception {
        slave.faults().setNoisePercent(25);
        slave.faults().setCrcErrorPercent(15);
        Map<String, Double> expected = expected();
        int good = 0;
        int bad = 0;
        for (int i = 0; i < 150; i++) {
            for (Reading r : port.sample()) {
                if (r.quality() == Quality.GOOD) {
                    good++;
                    assertEquals(expected.get(r.channelId()), r.value(), 1e-9, r.toString());
                } else {
                    bad++;
                }
            }
            clock.advance(Duration.ofSeconds(1)); // every channel is due in every cycle
        }
        ModbusRtuMaster.Stats stats = port.stats();
        assertTrue(stats.crcErrors() + stats.timeouts() + stats.malformed() > 10, stats.toString());
        assertTrue(good > 0, "retries get readings through");
        slave.faults().clear();
        clock.advance(Duration.ofSeconds(1));
        List<Reading> after = port.sample();
        assertTrue(after.stream().allMatch(r -> r.quality() == Quality.GOOD), "recovered: " + after + " bad=" + bad);
    }

    @Test
    void survives_the_device_vanishing_and_coming_back() throws Exception {
        assertTrue(port.sample().stream().allMatch(r -> r.quality() == Quality.GOOD));
        clock.advance(Duration.ofSeconds(1));
        stopSlave();
        pty.stop();
        assertThrows(HalException.class, port::sample);
        clock.advance(Duration.ofSeconds(1));
        assertThrows(HalException.class, port::sample);
        pty.start();
        startSlave();
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<Reading> readings = List.of();
        while (System.nanoTime() < deadline) {
            try {
                clock.advance(Duration.ofSeconds(1));
                readings = port.sample();
                if (!readings.isEmpty() && readings.stream().allMatch(r -> r.quality() == Quality.GOOD)) {
                    break;
                }
            } catch (HalException stillAway) {
                Thread.sleep(20); // reopen is backing off: ask again soon, without spinning
            }
        }
        assertTrue(!readings.isEmpty() && readings.stream().allMatch(r -> r.quality() == Quality.GOOD),
                "reads again after the device came back: " + readings);
        assertTrue(masterLine.failures() >= 1, "the loss was counted");
    }
}
