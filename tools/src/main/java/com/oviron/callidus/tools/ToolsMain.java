package com.oviron.callidus.tools;

import com.oviron.callidus.tools.benchmark.BenchmarkCommand;
import com.oviron.callidus.tools.decode.DecodeCommand;
import com.oviron.callidus.tools.demo.DemoCommand;
import com.oviron.callidus.tools.logo.LogoCommand;
import com.oviron.callidus.tools.simulator.SimulatorCommand;
import com.oviron.callidus.tools.vendor.VendorCommand;
import com.oviron.callidus.tools.vendor.PackageCommand;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Tools for people: {@code java -jar tools/target/callidus-tools.jar <command> [options]}.
 */
public final class ToolsMain {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar <command> [options]

            Commands:
              demo      run the whole system on this machine: embedded broker, simulated CALLIDUS board,
                        the agent and a cloud-side view of what arrives (demo --help for options)
              simulator a CALLIDUS board as a Modbus RTU slave on a serial device or a socat pty pair,
                        with fault injection from standard input (simulator --help)
              decode    print a telemetry batch payload as JSON or CSV (decode --help)
              benchmark speed figures to compare between versions (benchmark --help)
              logo      compose the unit's display logo from the clinic's SVG and the dentists' names
                        (logo --help)
              vendor    the vendor side: keygen, subscription tokens, time statements, technician and PIN
                        reset tokens, service record verify (vendor --help)
              package   build, sign and verify remote update packages; make a signing key (package --help)
              remote-console  an interactive terminal on a unit whose clinic allowed remote support
                        (remote-console --help)
              ingest    the cloud side's reference consumer: every unit's telemetry and events from the
                        broker into SQLite or PostgreSQL, duplicates dropped, gaps reported (ingest --help)
              fleet     N simulated units in one JVM against a broker cluster, with scenarios and tables
                        (fleet --help)
              help      show this text
            """;

    private ToolsMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "demo" -> DemoCommand.run(rest, System.in, out, err);
            case "simulator" -> SimulatorCommand.run(rest, System.in, out, err);
            case "benchmark" -> BenchmarkCommand.run(rest, out, err);
            case "decode" -> DecodeCommand.run(rest, System.in, out, err);
            case "logo" -> LogoCommand.run(rest, out, err);
            case "vendor" -> VendorCommand.run(rest, out, err, java.time.Clock.systemUTC());
            case "package" -> PackageCommand.run(rest, out, err);
            case "remote-console" -> com.oviron.callidus.tools.remote.RemoteConsoleCommand.run(rest, System.in, out,
                    err);
            case "fleet" -> com.oviron.callidus.tools.fleet.FleetCommand.run(rest, out, err);
            case "ingest" -> com.oviron.callidus.tools.ingest.IngestCommand.run(rest, out, err);
            default -> {
                err.println("error: unknown command '" + args[0] + "'");
                err.print(USAGE);
                yield 2;
            }
        };
    }
}
