package com.oviron.callidus.tools.benchmark;

import java.io.PrintStream;
import java.time.Duration;

/**
 * {@code benchmark}: speed and memory figures a person can compare between versions. Benchmarks, not
 * tests: they print numbers and never pass or fail on a threshold.
 */
public final class BenchmarkCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar benchmark <name> [options]

            Benchmarks:
              modbus    register-map poll cycles per second over a socat pty pair paced at line rate,
                        coalesced and not, against the limit computed from the bytes on the wire
                        (needs Debian's socat)
                        options: --seconds <n> (default 10), --baud <n> (default 115200)
              telemetry store-and-forward: ingest rate, time to deliver a backlog to Debian's mosquitto with
                        every batch acknowledged, bytes per reading, heap and RSS; and Paho's offline buffer
                        with file persistence as the baseline (needs Debian's mosquitto)
                        options: --readings <n> (default 43200000: 50 channels x 10 Hz x 1 day),
                                 --baseline <n> (default 20000 readings through the baseline),
                                 --default-config (deliver as a unit with the default configuration: the
                                 agent's sync and connection-wide publish rate limits, batches growing
                                 within 128 KiB for the backlog; prints the largest batch and the time for
                                 a day's backlog; without it, unthrottled)
              xray      chunked file transfer of a random X-ray-sized file through Debian's mosquitto: upload
                        with the chunk rate limit and without, download, and the same bytes published raw
                        (same chunk size, QoS 1, same window) in the same run (needs Debian's mosquitto)
                        options: --mib <n> (default 20), --rate <n> chunks/s (default 40)
              soak      the packaged agent for minutes as on the unit (launcher, A/B slots, restarted after
                        every exit) with the simulator at 10x the unit's rate, broker outages and update
                        cycles; prints heap after GC, threads, open files, database size and RSS at the
                        start and every few minutes: flat lines are the goal (needs Debian's mosquitto;
                        run from the repository after mvn package; heap after GC needs the JDK's jcmd)
                        options: --minutes <n> (default 30), --every <n> minutes between rows (default 5),
                                 --outage-every <n> minutes (default 7), --update-every <n> minutes
                                 (default 10), --agent-jar <path> (default agent/target/callidus-agent.jar),
                                 --launcher <path> (default agent/src/main/dist/callidus-launch)
              report    a month of the simulated board at 10 Hz on every channel through the agent's
                        aggregator, alarms and counters into a real diagnostics.db, then the month's report
                        built and rendered (JSON and the HTML page), timed against the 3 s goal
                        options: --days <n> (default 30), --hz <n> (default 10),
                                 --page <file> (also write the page there)
              startup   the packaged agent started through the launcher as the systemd unit starts it, --runs
                        times per case: time from process start to its "agent ready" line against the 1 s goal,
                        with and without a backlog in its store, with and without the class archive, and with
                        the JVM's default flags as the baseline (run from the repository after mvn package)
                        options: --backlog <n> readings (default 5000000), --runs <n> (default 3),
                                 --agent-jar, --launcher as for soak, --unit <file> (default
                                 agent/src/main/dist/callidus-agent.service: its Environment= lines)
              steady    the packaged agent with the simulator at --rate readings/s to Debian's mosquitto: CPU
                        (% of one core from /proc/pid/stat), RSS and threads against the goals 1 % and 64 MiB,
                        with -Xmx24m and the unit's other flags, and the JVM's default flags as the baseline;
                        the simulator's 9 channels as often as the rate needs, then 50 channels (41 made up)
                        at the period the rate needs (100 ms at 500: the unit's default)
                        options: --rate <n> readings/s (default 500), --seconds <n> (default 120),
                                 --agent-jar, --launcher, --unit as for startup
            """;

    private BenchmarkCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        int seconds = 10;
        int baud = 115_200;
        long readings = 43_200_000L;
        long baseline = 20_000;
        int mib = 20;
        int rate = com.oviron.callidus.cloud.files.FileTransferSettings.DEFAULT_CHUNKS_PER_SECOND;
        int minutes = 30;
        int every = 5;
        int outageEvery = 7;
        int updateEvery = 10;
        java.nio.file.Path agentJar = java.nio.file.Path.of("agent", "target", "callidus-agent.jar");
        java.nio.file.Path launcher = java.nio.file.Path.of("agent", "src", "main", "dist", "callidus-launch");
        int days = 30;
        int hz = 10;
        java.util.Optional<java.nio.file.Path> page = java.util.Optional.empty();
        long backlog = 5_000_000L;
        int runs = 3;
        java.nio.file.Path unit = java.nio.file.Path.of("agent", "src", "main", "dist", "callidus-agent.service");
        boolean steady = args[0].equals("steady");
        if (steady) {
            rate = 500;
            seconds = 120;
        }
        if (java.util.Arrays.asList(args).contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        boolean defaultConfig = java.util.Arrays.asList(args).contains("--default-config");
        if (defaultConfig) {
            args = java.util.Arrays.stream(args).filter(a -> !a.equals("--default-config")).toArray(String[]::new);
        }
        try {
            for (int i = 1; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                    case "--baud" -> baud = Integer.parseInt(args[i + 1]);
                    case "--readings" -> readings = Long.parseLong(args[i + 1]);
                    case "--baseline" -> baseline = Long.parseLong(args[i + 1]);
                    case "--mib" -> mib = Integer.parseInt(args[i + 1]);
                    case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                    case "--minutes" -> minutes = Integer.parseInt(args[i + 1]);
                    case "--every" -> every = Integer.parseInt(args[i + 1]);
                    case "--outage-every" -> outageEvery = Integer.parseInt(args[i + 1]);
                    case "--update-every" -> updateEvery = Integer.parseInt(args[i + 1]);
                    case "--agent-jar" -> agentJar = java.nio.file.Path.of(args[i + 1]);
                    case "--launcher" -> launcher = java.nio.file.Path.of(args[i + 1]);
                    case "--days" -> days = Integer.parseInt(args[i + 1]);
                    case "--hz" -> hz = Integer.parseInt(args[i + 1]);
                    case "--page" -> page = java.util.Optional.of(java.nio.file.Path.of(args[i + 1]));
                    case "--backlog" -> backlog = Long.parseLong(args[i + 1]);
                    case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                    case "--unit" -> unit = java.nio.file.Path.of(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (seconds < 1 || seconds > 3600) {
                throw new IllegalArgumentException("--seconds must be 1..3600");
            }
            if (baud < 1200 || baud > 921_600) {
                throw new IllegalArgumentException("--baud must be 1200..921600");
            }
            if (mib < 1 || mib > 64) {
                throw new IllegalArgumentException("--mib must be 1..64");
            }
            if (minutes < 1 || minutes > 7 * 24 * 60) {
                throw new IllegalArgumentException("--minutes must be 1..10080");
            }
            if (every < 1 || outageEvery < 1 || updateEvery < 1) {
                throw new IllegalArgumentException("--every, --outage-every and --update-every must be at least 1");
            }
            if (days < 1 || days > 400) {
                throw new IllegalArgumentException("--days must be 1..400");
            }
            if (hz < 1 || hz > 100) {
                throw new IllegalArgumentException("--hz must be 1..100");
            }
            if (backlog < 0 || backlog > 100_000_000L) {
                throw new IllegalArgumentException("--backlog must be 0..100000000");
            }
            if (runs < 1 || runs > 50) {
                throw new IllegalArgumentException("--runs must be 1..50");
            }
            if (steady && (rate < 1 || rate > 20_000)) {
                throw new IllegalArgumentException("--rate must be 1..20000 readings per second");
            }
            if (!steady && (rate < 1 || rate > 90)) {
                throw new IllegalArgumentException("--rate must be 1..90 chunks per second");
            }
        } catch (NumberFormatException e) {
            err.println("error: a whole number was expected: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        // benchmark output is the figures: the components' own info logs would interleave
        if (!org.tinylog.configuration.Configuration.isFrozen()) {
            org.tinylog.configuration.Configuration.replace(java.util.Map.of("writer", "console",
                    "writer.level", "warn", "writer.format", "{level}: {message}"));
        }
        try {
            return switch (args[0]) {
                case "modbus" -> new ModbusPollBenchmark(out, Duration.ofSeconds(seconds), baud).run();
                case "telemetry" -> new TelemetryBenchmark(out, readings, 50, baseline, defaultConfig).run();
                case "xray" -> new XrayBenchmark(out, mib * 1024L * 1024L, rate).run();
                case "soak" -> new SoakBenchmark(out, Duration.ofMinutes(minutes), Duration.ofMinutes(every),
                        Duration.ofMinutes(outageEvery), Duration.ofMinutes(updateEvery), agentJar, launcher).run();
                case "report" -> new ReportBenchmark(out, days, Duration.ofMillis(1000 / hz), page).run();
                case "startup" -> new StartupBenchmark(out, backlog, runs, agentJar, launcher, unit).run();
                case "steady" -> new SteadyBenchmark(out, rate, Duration.ofSeconds(seconds), agentJar, launcher, unit)
                        .run();
                default -> {
                    err.println("error: unknown benchmark '" + args[0] + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (Exception e) {
            err.println("error: benchmark failed: " + e);
            return 1;
        }
    }
}
