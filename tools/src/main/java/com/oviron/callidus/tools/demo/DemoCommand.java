package com.oviron.callidus.tools.demo;

import com.oviron.callidus.agent.Agent;
import com.oviron.callidus.agent.AgentConfig;
import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.agent.AgentStatus;
import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tinylog.configuration.Configuration;
import com.oviron.callidus.hal.SerialSettings;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.testing.SocatPty;
import com.oviron.callidus.tools.simulator.UnitSimulator;

/**
 * {@code demo}: the whole system on one machine. An embedded MQTT broker, the agent with the simulated
 * CALLIDUS board and a real SQLite buffer, and a cloud-side view that prints what arrives. Optionally stops
 * the broker for a while to show the buffer filling and draining with nothing lost.
 */
public final class DemoCommand {
    static final String USAGE = """
            Usage: java -jar tools/target/callidus-tools.jar demo [options]

            Runs an embedded MQTT broker, the agent with a simulated CALLIDUS board, and a cloud-side view
            that prints what the cloud receives, while a cloud operator installs the unit's subscription
            token, reads its diagnostics, watches a live session, sends the clinic's logo, receives an X-ray
            image, changes its settings and asks for a report. Stops after --duration, or on Ctrl-C; exits 0
            when every reading the agent accepted reached the cloud (after dropping duplicates by sequence
            number); the summary also says which cloud steps were done.

            Values are marked when their quality is not good: ! out of range, ? stale (no answer),
            x communication error (value withheld).

            Options:
              --duration <d>      run this long, e.g. 60s or 5m (default: until Ctrl-C)
              --outage-at <d>     stop the broker this long after the start (default: no outage)
              --outage-for <d>    keep the broker stopped this long (default: 15s)
              --sample-period <d> the agent's sample period (default: 100ms)
              --refresh <d>       how often the view prints (default: 2s)
              --seed <n>          the simulated board's random seed (default: 1)
              --serial            run the board as a Modbus RTU slave on a socat pseudo-terminal pair
                                  and let the agent read it over Modbus, as on the unit
              --fault <at>=<cmd>  with --serial: send a fault command to the board at that time,
                                  e.g. --fault "10s=noise 30" --fault "20s=clear" (repeatable;
                                  commands as in: simulator --help). Lines typed on standard
                                  input are sent too.
              --log-level <l>     the agent log's level: debug, info (default), warn, error
              --data-dir <dir>    where the broker, the agent's database and agent.log go
                                  (default: a new temporary folder; the files of an
                                  earlier demo run in it are removed first)
              --help              show this text
            Durations: 250ms, 5s, 2m, 1h.
            """;

    private final Options options;
    private final PrintStream out;
    /** The vendor's key for the demo's subscription token: the unit pins its public half. */
    private final java.security.KeyPair vendor = CloudOperator.vendorKeys();
    /** The unit's MQTT password in the demo (the embedded broker takes any): a secret the log must never show. */
    private final String mqttPassword = "demo-" + java.util.UUID.randomUUID();
    private final Clock clock = Clock.systemUTC();
    private volatile int result = 1;

    record Options(Optional<Duration> duration, Optional<Duration> outageAt, Duration outageFor,
                   Duration samplePeriod, Duration refresh, long seed, Optional<Path> dataDir, boolean serial,
                   List<ScheduledFault> faults, String logLevel) {
    }

    /** A fault command for the simulated board, sent at a time after the start. */
    record ScheduledFault(Duration at, String command) {
    }

    /** Fault commands typed by the user, for the simulated board (with --serial). */
    private final java.io.InputStream in;

    private DemoCommand(Options options, java.io.InputStream in, PrintStream out) {
        this.in = in;
        this.options = options;
        this.out = out;
    }

    /**
     * @param in where fault commands for the board come from (standard input on the command line; tests give
     *           their own, never the test JVM's standard input, which is the test runner's channel)
     */
    public static int run(String[] args, java.io.InputStream in, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (options == null) {
            out.print(USAGE);
            return 0;
        }
        try {
            return new DemoCommand(options, in, out).run();
        } catch (Exception e) {
            err.println("error: demo failed: " + e);
            return 1;
        }
    }

    static Options parse(String[] args) {
        Optional<Duration> duration = Optional.empty();
        Optional<Duration> outageAt = Optional.empty();
        Duration outageFor = Duration.ofSeconds(15);
        Duration samplePeriod = Duration.ofMillis(100);
        Duration refresh = Duration.ofSeconds(2);
        long seed = 1;
        Optional<Path> dataDir = Optional.empty();
        boolean serial = false;
        List<ScheduledFault> faults = new java.util.ArrayList<>();
        String logLevel = "info";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (a.equals("--serial")) {
                serial = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--duration" -> duration = Optional.of(duration(a, v));
                case "--outage-at" -> outageAt = Optional.of(duration(a, v));
                case "--outage-for" -> outageFor = duration(a, v);
                case "--sample-period" -> samplePeriod = duration(a, v);
                case "--refresh" -> refresh = duration(a, v);
                case "--seed" -> {
                    try {
                        seed = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--seed needs a whole number, got '" + v + "'");
                    }
                }
                case "--data-dir" -> dataDir = Optional.of(Path.of(v));
                case "--log-level" -> {
                    if (!com.oviron.callidus.agent.logging.SwitchableConsoleWriter.LEVELS.contains(v)) {
                        throw new IllegalArgumentException("--log-level must be one of "
                                + com.oviron.callidus.agent.logging.SwitchableConsoleWriter.LEVELS + ", got '" + v + "'");
                    }
                    logLevel = v;
                }
                case "--fault" -> {
                    int eq = v.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--fault needs <at>=<command>, e.g. \"10s=noise 30\"");
                    }
                    faults.add(new ScheduledFault(duration(a, v.substring(0, eq)), v.substring(eq + 1)));
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (refresh.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("--refresh must be at least 100ms");
        }
        if (samplePeriod.compareTo(Duration.ofMillis(10)) < 0 || samplePeriod.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--sample-period must be between 10ms and 1h");
        }
        if (duration.isPresent() && duration.get().isZero()) {
            throw new IllegalArgumentException("--duration must be above 0");
        }
        if (!faults.isEmpty() && !serial) {
            throw new IllegalArgumentException("--fault needs --serial (faults are injected into the Modbus board)");
        }
        faults.sort(java.util.Comparator.comparing(ScheduledFault::at));
        return new Options(duration, outageAt, outageFor, samplePeriod, refresh, seed, dataDir, serial,
                List.copyOf(faults), logLevel);
    }

    private static Duration duration(String option, String text) {
        return AgentConfigLoader.parseDuration(text).orElseThrow(() -> new IllegalArgumentException(
                option + " needs a duration like 250ms, 30s, 5m, got '" + text + "'"));
    }

    private int run() throws Exception {
        Path dir = options.dataDir().isPresent() ? options.dataDir().get()
                : Files.createTempDirectory("callidus-demo-");
        Files.createDirectories(dir);
        removeEarlierRun(dir);
        Path agentLog = dir.resolve("agent.log");
        routeAgentLogTo(agentLog, options.logLevel());

        out.println("CALLIDUS demo: embedded broker + simulated unit + agent + cloud view");
        out.println("  data folder : " + dir.toAbsolutePath());
        out.println("  agent log   : " + agentLog.toAbsolutePath());
        EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
        out.println("  broker      : " + broker.uri() + " (HiveMQ CE, embedded)");

        SocatPty pty = null;
        UnitSimulator board = null;
        if (options.serial()) {
            pty = new SocatPty(Files.createDirectories(dir.resolve("pty")));
            board = UnitSimulator.start(SerialSettings.of(pty.b().toString(), 115_200),
                    RegisterMapLoader.loadDefault(), 1, options.seed(), clock);
            out.println("  serial line : " + pty.a() + " (agent, Modbus master) <-> " + pty.b()
                    + " (simulated board, slave 1), 115200 8N1 over a socat pty pair");
        }
        Files.createDirectories(dir.resolve("ui/settings"));
        Files.createDirectories(dir.resolve("sensor"));
        Files.writeString(dir.resolve("ui/settings/installation.json"),
                "{\"chair\":{\"maxHeight\":3},\"language\":\"bg\"}", StandardCharsets.UTF_8);
        Path configFile = dir.resolve("agent.json");
        Files.writeString(configFile, demoConfig(broker.uri(), pty), StandardCharsets.UTF_8);
        AgentConfig config;
        try {
            config = AgentConfigLoader.load(configFile);
        } catch (ConfigException e) {
            broker.close();
            throw new IllegalStateException("the demo's own config is invalid: " + e.getMessage(), e);
        }
        out.println("  agent config: " + configFile.toAbsolutePath());
        options.outageAt().ifPresent(at -> out.println("  outage      : broker stopped at " + fmt(at) + " for "
                + fmt(options.outageFor())));
        out.println("  stop        : " + options.duration().map(d -> "after " + fmt(d) + " or Ctrl-C")
                .orElse("Ctrl-C"));
        out.println();

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Ctrl-C is the normal way to end the demo: exit with the demo's result, not 130
            out.flush();
            Runtime.getRuntime().halt(result);
        }, "demo-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);

        CloudView view = null;
        Agent agent = null;
        CloudOperator operator = null;
        try {
            view = new CloudView(broker.uri(), clock);
            agent = Agent.start(config, clock);
            out.println(">>> demo: the unit has no subscription token yet: it samples and buffers, sends nothing");
            operator = CloudOperator.connect(broker.uri(), config.device().id(), dir, out, vendor);
            operator.start();
            UnitSimulator boardForInput = board;
            if (board != null) {
                forwardStandardInput(boardForInput);
            }
            List<ScheduledFault> pendingFaults = new java.util.ArrayList<>(options.faults());
            long start = System.nanoTime();
            boolean outageStarted = false;
            boolean outageOver = options.outageAt().isEmpty();
            long maxPending = 0;
            long nextPrint = 0;
            while (true) {
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                if (options.duration().isPresent() && elapsedMs >= options.duration().get().toMillis()) {
                    break;
                }
                if (!outageStarted && options.outageAt().isPresent()
                        && elapsedMs >= options.outageAt().get().toMillis()) {
                    out.println(">>> demo: stopping the broker for " + fmt(options.outageFor())
                            + " (the clinic's internet is down); readings must pile up in the agent's buffer");
                    broker.stop();
                    outageStarted = true;
                }
                if (outageStarted && !outageOver
                        && elapsedMs >= options.outageAt().get().plus(options.outageFor()).toMillis()) {
                    out.println(">>> demo: starting the broker again; the backlog must arrive, none missing");
                    broker.start();
                    outageOver = true;
                }
                while (!pendingFaults.isEmpty() && elapsedMs >= pendingFaults.get(0).at().toMillis()) {
                    ScheduledFault f = pendingFaults.remove(0);
                    out.println(">>> demo: board fault '" + f.command() + "': " + board.command(f.command()));
                }
                maxPending = Math.max(maxPending, agent.status().pending());
                if (elapsedMs >= nextPrint) {
                    // stopping or starting the broker above takes seconds: print the time of the figures
                    elapsedMs = (System.nanoTime() - start) / 1_000_000;
                    print(elapsedMs, broker.isRunning(), agent.status(), view);
                    if (board != null) {
                        out.println("          board (Modbus slave): " + board.counters());
                    }
                    nextPrint = elapsedMs + options.refresh().toMillis();
                }
                if (stop.await(100, TimeUnit.MILLISECONDS)) {
                    out.println(">>> demo: Ctrl-C");
                    break;
                }
            }
            if (!broker.isRunning()) {
                out.println(">>> demo: starting the broker again before stopping");
                broker.start();
            }
            out.println(">>> demo: stopping the agent (it writes what is in memory and sends what is buffered)");
            agent.close();
            AgentStatus end = agent.status();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (view.summary().distinctReadings() < end.lastSeq() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            closeQuietly("cloud operator", operator);
            result = printSummary(end, view.summary(), maxPending, outageStarted, operator.outcomes());
            return result;
        } finally {
            // every part is closed even if another one fails to, and the Ctrl-C hook is always released
            closeQuietly("cloud operator", operator);
            closeQuietly("agent", agent);
            closeQuietly("cloud view", view);
            closeQuietly("broker", broker);
            closeQuietly("board", board);
            closeQuietly("pseudo-terminals", pty);
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // Ctrl-C: the hook is running and waits for 'finished'
            }
        }
    }

    private void closeQuietly(String what, AutoCloseable part) {
        if (part == null) {
            return;
        }
        try {
            part.close();
        } catch (Exception e) {
            out.println(">>> demo: closing the " + what + " failed: " + e.getMessage());
        }
    }

    private String demoConfig(String brokerUri, SocatPty pty) {
        String hal = pty == null
                ? "{\"source\": \"simulator\", \"seed\": %d, \"samplePeriod\": \"%s\"}".formatted(options.seed(),
                        options.samplePeriod().toMillis() + "ms")
                : ("{\"source\": \"modbus\", \"samplePeriod\": \"%s\", \"serial\": {\"device\": \"%s\"},"
                        + " \"modbus\": {\"timeout\": \"50ms\", \"retries\": 2, \"reopenMin\": \"200ms\","
                        + " \"reopenMax\": \"2s\"}}").formatted(options.samplePeriod().toMillis() + "ms", pty.a());
        return """
                {
                  "device": {"id": "CAL-DEMO-0001"},
                  "hal": %s,
                  "store": {"path": "agent.db", "durability": "FULL", "groupCommitReadings": 1000,
                            "groupCommitDelay": "500ms"},
                  "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "keepAlive": "10s", "connectTimeout": "3s",
                           "reconnectMin": "250ms", "reconnectMax": "2s",
                           "username": "CAL-DEMO-0001", "password": "%s"},
                  "sync": {"batchMaxReadings": 500, "inFlightWindow": 8, "interval": "250ms"},
                  "log": {"level": "%s"},
                  "shutdown": {"drainTimeout": "10s"},
                  "subscription": {"keys": {"demo": "%s"}},
                  "settings": {"folder": "ui/settings", "quietPeriod": "300ms", "rescanInterval": "2s"},
                  "display": {"folder": "ui/display"},
                  "xray": {"viewerFolder": "ui/viewer", "captureFolder": "sensor", "captureQuietPeriod": "500ms"}
                }
                """.formatted(hal, brokerUri, mqttPassword, options.logLevel(), CloudOperator.publicKeyForConfig(vendor));
    }

    private void forwardStandardInput(UnitSimulator board) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(this.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String answer = board.command(line);
                    if (!answer.isEmpty()) {
                        out.println(">>> board: " + answer);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no console (CI, background): nothing to forward
            }
        }, "demo-stdin");
        t.setDaemon(true);
        t.start();
    }

    private void print(long elapsedMs, boolean brokerUp, AgentStatus agent, CloudView view) {
        CloudView.Summary s = view.summary();
        out.printf(Locale.ROOT, "[%6.1fs] broker %-4s | unit %-26s | agent: sampled %d, accepted %d, in memory %d,"
                        + " waiting in buffer %d%n",
                elapsedMs / 1000.0, brokerUp ? "UP" : "DOWN", s.connected() ? s.unitStatus() : "? (view disconnected)", agent.samples(), Math.max(0, agent.lastSeq()),
                agent.bufferedInMemory(), Math.max(0, agent.pending()));
        long missing = s.highestSeq() - s.distinctReadings();
        if (s.batches() == 0) {
            out.println("          cloud: no telemetry yet");
        } else {
            out.printf(Locale.ROOT, "          cloud: %d batches, %d readings (seq 1..%d contiguous), %d missing, %d "
                            + "duplicates dropped, last batch seq %d..%d, lag %d ms%n",
                    s.batches(), s.distinctReadings(), s.highestContiguousSeq(), missing, s.duplicates(),
                    s.lastBatchFirst(), s.lastBatchLast(), s.lagMillis());
        }
        List<CloudView.ChannelValue> values = view.latestValues();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            CloudView.ChannelValue v = values.get(i);
            String mark = switch (v.quality()) {
                case 0 -> " ";
                case 1 -> "!";   // out of range
                case 2 -> "?";   // stale
                default -> "x";  // communication error
            };
            line.append(String.format(Locale.ROOT, "%-22s %8.2f %-4s%s", v.name(), v.value(), v.unit(), mark));
            if (i % 3 == 2 || i == values.size() - 1) {
                out.println("          " + line.toString().stripTrailing());
                line.setLength(0);
            } else {
                line.append("  ");
            }
        }
    }

    private int printSummary(AgentStatus end, CloudView.Summary s, long maxPending, boolean hadOutage,
                             List<CloudOperator.Outcome> cloudSteps) {
        long missing = Math.max(0, end.lastSeq() - s.distinctReadings());
        out.println();
        out.println("== demo summary ==");
        out.printf(Locale.ROOT, "readings accepted by the agent : %d (seq 1..%d), still waiting in its buffer: %d%n",
                end.lastSeq(), end.lastSeq(), end.pending());
        out.printf(Locale.ROOT, "readings received by the cloud : %d distinct in %d batches, %d missing, "
                + "%d duplicates dropped%n", s.distinctReadings(), s.batches(), missing, s.duplicates());
        if (hadOutage) {
            out.printf(Locale.ROOT, "broker outage                  : %s; up to %d readings waited in the buffer and "
                    + "were delivered after it (%d resend(s) of unacknowledged batches)%n",
                    fmt(options.outageFor()), maxPending, end.resends());
        }
        out.println("unit status at the cloud       : " + s.unitStatus());
        out.println("cloud services                 : " + cloudSteps.size() + " of 7 steps done ("
                + String.join(", ", cloudSteps.stream().map(CloudOperator.Outcome::step).toList()) + ")"
                + (cloudSteps.size() < 7 ? "; run longer (--duration 60s) to see them all" : ""));
        boolean ok = missing == 0 && s.distinctReadings() == end.lastSeq() && s.malformed() == 0;
        out.println(ok ? "result: OK - every accepted reading reached the cloud exactly once after dedupe"
                : "result: FAILED - readings are missing at the cloud (see the agent log)");
        return ok ? 0 : 1;
    }

    /**
     * The cloud view counts from sequence number 1, so a demo starts from an empty unit and broker: the
     * files of an earlier run in the same folder are removed (only the ones the demo itself makes).
     */
    private void removeEarlierRun(Path dir) throws IOException {
        boolean removed = false;
        for (String name : List.of("agent.db", "agent.db-wal", "agent.db-shm", "agent.json", "agent.log",
                "commands.db", "commands.db-wal", "commands.db-shm", "transfers.db", "transfers.db-wal",
                "transfers.db-shm", "settings.db", "settings.db-wal", "settings.db-shm", "subscription-token.jws",
                "trusted-time.json", "xray.key")) {
            removed |= Files.deleteIfExists(dir.resolve(name));
        }
        for (String folder : List.of("broker", "pty", "ui", "sensor", "xray", "display", "bundles", "transfers",
                "cloud-files")) {
            Path path = dir.resolve(folder);
            if (Files.isDirectory(path)) {
                try (var paths = Files.walk(path)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
                removed = true;
            }
        }
        if (removed) {
            out.println("  (removed the files of an earlier demo run in " + dir + ")");
        }
    }

    private static void routeAgentLogTo(Path file, String level) throws IOException {
        if (Configuration.isFrozen()) {
            return;
        }
        Files.deleteIfExists(file);
        Configuration.replace(Map.of(
                "writer", "file",
                "writer.file", file.toAbsolutePath().toString(),
                "level", level,
                "writer.level", level,
                "writer.format", "{date:yyyy-MM-dd HH:mm:ss.SSS} {level} [{thread}] {message}",
                "writingthread", "false",
                // the agent logs while it stops in the Ctrl-C hook: tinylog must not close its file first
                "autoshutdown", "false"));
    }

    private static String fmt(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
