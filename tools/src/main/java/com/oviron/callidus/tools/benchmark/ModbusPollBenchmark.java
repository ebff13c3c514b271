package com.oviron.callidus.tools.benchmark;

import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.hal.modbus.ModbusRtuMaster;
import com.oviron.callidus.hal.modbus.ModbusSensorPort;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.serial.JsscSerialLine;
import com.oviron.callidus.hal.sim.MapRegisterBank;
import com.oviron.callidus.hal.sim.ModbusRtuSlave;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.hal.testing.SocatPty;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * How many register-map poll cycles per second the agent's Modbus stack achieves on a 115200-baud line,
 * against the limit set by the bytes on the wire. The line is a socat pseudo-terminal pair; the simulated
 * board waits as long as the request and answer would take on a real line (10 bits per byte), so the
 * pty behaves like the real wire and the ratio measures the master's own overhead.
 */
final class ModbusPollBenchmark {
    /** Result of one mode. */
    record Result(String mode, int requestsPerCycle, int bytesPerCycle, long cycles, double seconds,
                  double cyclesPerSecond, double limitBytesOnly, double limitWithSilences, long errors) {
        double ratio() {
            return cyclesPerSecond / limitWithSilences;
        }
    }

    private final PrintStream out;
    private final Duration duration;
    private final int baud;

    ModbusPollBenchmark(PrintStream out, Duration duration, int baud) {
        this.out = out;
        this.duration = duration;
        this.baud = baud;
    }

    int run() throws Exception {
        RegisterMap map = RegisterMapLoader.loadDefault();
        Path dir = Files.createTempDirectory("callidus-bench-");
        out.printf(Locale.ROOT, "modbus poll benchmark: %d channels of the shipped register map, %d baud 8N1, "
                + "%s per mode, socat pty pair paced at line rate%n", map.channels().size(), baud, fmt(duration));
        try (SocatPty pty = new SocatPty(dir)) {
            SerialSettings slaveSide = SerialSettings.of(pty.b().toString(), baud);
            SerialSettings masterSide = SerialSettings.of(pty.a().toString(), baud);
            MapRegisterBank bank = new MapRegisterBank(map);
            bank.update(new SimulatedCallidusBoard(Clock.systemUTC(), 1).sample());
            try (JsscSerialLine slaveLine = JsscSerialLine.open(slaveSide);
                 ModbusRtuSlave slave = new ModbusRtuSlave(slaveLine, slaveSide, 1, bank, true, 1).start();
                 JsscSerialLine masterLine = JsscSerialLine.open(masterSide)) {
                Result coalesced = measure("coalesced (maxGap 8)", 8, map, masterLine, masterSide);
                Result separate = measure("not coalesced (maxGap 0)", 0, map, masterLine, masterSide);
                for (Result r : new Result[] {coalesced, separate}) {
                    out.printf(Locale.ROOT, "%-26s %d request(s), %3d bytes/cycle: %7.1f cycles/s measured "
                                    + "(%d cycles in %.1f s, %d errors); line limit %.1f cycles/s (bytes only %.1f);"
                                    + " ratio %.2f%n",
                            r.mode(), r.requestsPerCycle(), r.bytesPerCycle(), r.cyclesPerSecond(), r.cycles(),
                            r.seconds(), r.errors(), r.limitWithSilences(), r.limitBytesOnly(), r.ratio());
                }
                out.printf(Locale.ROOT, "coalescing gives %.2fx the cycles per second%n",
                        coalesced.cyclesPerSecond() / separate.cyclesPerSecond());
                out.println("(line limit = 1 / (bytes per cycle x 10 bits / baud + 3.5-character silence "
                        + "before each frame, 1.75 ms above 19200 baud))");
                return 0;
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Result measure(String mode, int maxGap, RegisterMap map, JsscSerialLine line, SerialSettings settings)
            throws Exception {
        ModbusRtuMaster master = new ModbusRtuMaster(line, settings, Duration.ofMillis(200), 2);
        // every channel is due in every cycle: the clock moves a second before each one
        ManualClock clock = new ManualClock();
        ModbusSensorPort port = new ModbusSensorPort(master, map, 1, maxGap, clock, () -> { });
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(1));
            port.sample(); // warm-up: JIT, pty buffers
        }
        ModbusRtuMaster.Stats before = master.stats();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long cycles = 0;
        while (System.nanoTime() < end) {
            clock.advance(Duration.ofSeconds(1));
            port.sample();
            cycles++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ModbusRtuMaster.Stats after = master.stats();
        long requests = after.transactions() - before.transactions();
        long bytes = (after.bytesSent() - before.bytesSent()) + (after.bytesReceived() - before.bytesReceived());
        int requestsPerCycle = (int) Math.round((double) requests / cycles);
        int bytesPerCycle = (int) Math.round((double) bytes / cycles);
        double byteSeconds = bytesPerCycle * (double) settings.bitsPerCharacter() / settings.baudRate();
        double silence = settings.baudRate() > 19_200 ? 0.00175 : 3.5 * settings.bitsPerCharacter()
                / settings.baudRate();
        double limitWithSilences = 1 / (byteSeconds + 2 * requestsPerCycle * silence);
        long errors = (after.timeouts() - before.timeouts()) + (after.crcErrors() - before.crcErrors())
                + (after.malformed() - before.malformed());
        return new Result(mode, requestsPerCycle, bytesPerCycle, cycles, seconds, cycles / seconds, 1 / byteSeconds,
                limitWithSilences, errors);
    }

    private static String fmt(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
