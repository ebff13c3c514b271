package com.oviron.callidus.tools.simulator;

import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapException;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.testing.SocatPty;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code simulator}: a CALLIDUS board as a Modbus RTU slave on a serial device, for developing and demoing
 * the agent on a laptop. Fault commands are read from standard input.
 */
public final class SimulatorCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar simulator (--device <dev> | --pty <dir>) [options]

            Serves the simulated CALLIDUS board as a Modbus RTU slave. With --pty it makes a pseudo-terminal
            pair with socat in <dir> and serves on <dir>/ttyB: point the agent at <dir>/ttyA
            ("hal": {"source": "modbus", "serial": {"device": "<dir>/ttyA"}}).

            Options:
              --device <dev>    serve on this serial device
              --pty <dir>       make a socat pseudo-terminal pair in this folder and serve on its B end
              --baud <n>        baud rate (default 115200; 8N1)
              --slave <n>       Modbus slave id (default 1)
              --map <file>      register map (default: the shipped CALLIDUS map)
              --seed <n>        random seed of the signals (default 1)
              --help            show this text

            """ + UnitSimulator.COMMANDS + "\n";

    private SimulatorCommand() {
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Optional<String> device = Optional.empty();
        Optional<Path> ptyDir = Optional.empty();
        int baud = 115_200;
        int slave = 1;
        Optional<Path> mapFile = Optional.empty();
        long seed = 1;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help")) {
                    out.print(USAGE);
                    return 0;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--device" -> device = Optional.of(v);
                    case "--pty" -> ptyDir = Optional.of(Path.of(v));
                    case "--baud" -> baud = Integer.parseInt(v);
                    case "--slave" -> slave = Integer.parseInt(v);
                    case "--map" -> mapFile = Optional.of(Path.of(v));
                    case "--seed" -> seed = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            if (device.isPresent() == ptyDir.isPresent()) {
                throw new IllegalArgumentException("give either --device or --pty");
            }
        } catch (NumberFormatException e) {
            err.println("error: a number was expected: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        RegisterMap map;
        try {
            map = mapFile.isPresent() ? RegisterMapLoader.load(mapFile.get()) : RegisterMapLoader.loadDefault();
        } catch (RegisterMapException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        SocatPty pty = null;
        try {
            if (ptyDir.isPresent()) {
                Files.createDirectories(ptyDir.get());
                pty = new SocatPty(ptyDir.get());
                device = Optional.of(pty.b().toString());
                out.println("pseudo-terminal pair ready: the agent's end is " + pty.a());
            }
            try (UnitSimulator simulator = UnitSimulator.start(SerialSettings.of(device.get(), baud), map, slave,
                    seed, Clock.systemUTC())) {
                out.println("CALLIDUS board simulator serving slave " + slave + " on " + device.get() + " at " + baud
                        + " baud, map '" + map.name() + "'; type 'help' for fault commands, Ctrl-D to stop");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String line;
                while ((line = reader.readLine()) != null) {
                    String answer = simulator.command(line);
                    if (!answer.isEmpty()) {
                        out.println(answer);
                    }
                }
                out.println("stopping: " + simulator.counters());
            }
            return 0;
        } catch (Exception e) {
            err.println("error: simulator failed: " + e.getMessage());
            return 1;
        } finally {
            if (pty != null) {
                pty.close();
            }
        }
    }
}
