package com.oviron.callidus.agent;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.folders.ProcessUser;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import com.oviron.callidus.agent.logging.SwitchableConsoleWriter;
import com.oviron.callidus.agent.startup.ClassArchive;
import com.oviron.callidus.agent.startup.StartTime;
import com.oviron.callidus.agent.systemd.ServiceWatchdog;
import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;

/**
 * The agent's entry point: {@code java -jar callidus-agent.jar --config agent.json}. Builds everything by
 * hand (no framework), runs until SIGTERM/SIGINT, then shuts down cleanly.
 *
 * <p>Exit codes: 0 for --help/--version/--check-config; 2 for a usage or config error; 1 when the agent
 * cannot start (store unreadable, unsafe ownership or permissions of its own files ({@link StartupChecks}),
 * another agent holding the store folder's lock ({@link StoreLock}), ...). Stopped by a signal, the JVM exits with 128 + the signal number after the clean shutdown (143 for
 * SIGTERM), which systemd counts as a clean stop.
 */
public final class Main {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    static final String USAGE = """
            Usage: java -jar callidus-agent.jar --config <file> [--check-config]
                   java -jar callidus-agent.jar --help | --version

            The CALLIDUS edge agent: samples the unit's sensors, buffers the readings in SQLite and
            sends them to Oviron's cloud over MQTT.

            Options:
              --config <file>   the agent's JSON configuration (see docs/configuration.md)
              --check-config    validate the configuration, print a summary and exit
              --help            show this text and exit
              --version         print the agent's version and exit

            Exit codes: 0 ok, 1 cannot start (e.g. unsafe permissions of its own files, or
            another agent runs on the same store folder), 2 usage or configuration error;
            after SIGTERM the agent shuts down cleanly and the JVM exits with 143.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        // under systemd, what goes to standard error is an error in the journal (journalctl -p err)
        PrintStream err = System.getenv("JOURNAL_STREAM") == null ? System.err : new PrintStream(
                new com.oviron.callidus.agent.logging.JournalPriorityStream(System.err, 3), true,
                java.nio.charset.StandardCharsets.UTF_8);
        int code = run(args, System.out, err);
        if (code != EXIT_OK || !isRunForever(args)) {
            System.exit(code);
        }
    }

    private static boolean isRunForever(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("--check-config")) {
                return false;
            }
        }
        return true;
    }

    /** Runs the agent; returns the exit code. Blocks until the JVM is asked to stop. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path configFile = null;
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return EXIT_OK;
                }
                case "--version" -> {
                    out.println("callidus-agent " + AgentVersion.current());
                    return EXIT_OK;
                }
                case "--check-config" -> checkOnly = true;
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("error: --config needs a file name");
                        err.print(USAGE);
                        return EXIT_USAGE;
                    }
                    configFile = Path.of(args[++i]);
                }
                default -> {
                    err.println("error: unknown option '" + args[i] + "'");
                    err.print(USAGE);
                    return EXIT_USAGE;
                }
            }
        }
        if (configFile == null) {
            err.println("error: --config <file> is required");
            err.print(USAGE);
            return EXIT_USAGE;
        }
        AgentConfig config;
        try {
            config = AgentConfigLoader.load(configFile);
        } catch (ConfigException e) {
            // E001 in the error-code catalog: what it means and what to do, in English and Bulgarian
            err.println("error: " + e.getMessage() + " [" + com.oviron.callidus.agent.diagnostics.Codes.CONFIG_INVALID
                    + "]");
            return EXIT_USAGE;
        }
        List<String> unsafe = StartupChecks.problems(config, configFile, ProcessUser.current());
        if (!unsafe.isEmpty()) {
            err.println("error: agent cannot start: unsafe ownership or permissions (docs/security.md):");
            unsafe.forEach(p -> err.println("  " + p));
            return EXIT_FAILURE;
        }
        if (checkOnly) {
            out.println("config ok: device=" + config.device().id() + " store=" + config.store().path()
                    + " broker=" + String.join(",", config.mqtt().brokerUris()) + " protocol="
                    + config.mqtt().protocol() + " samplePeriod=" + AgentConfigLoader.format(config.hal().samplePeriod()));
            out.println("readings: hal.source=" + config.hal().description());
            if (config.hal().isSimulator()) {
                out.println("WARNING: hal.source is \"simulator\": this agent sends made-up readings to "
                        + String.join(",", config.mqtt().brokerUris()) + "; on a unit use \"modbus\"");
            }
            AgentConfig.Cloud c = config.cloud();
            out.println("services: subscription=" + (config.subscription().isPresent() ? "checked"
                    : "NOT CHECKED (development)") + " settings=" + c.settings().map(s -> s.folder().toString())
                    .orElse("off") + " display=" + c.display().map(d -> d.displayFolder().toString()).orElse("off")
                    + " xray=" + c.xray().map(x -> x.viewerFolder().toString()).orElse("off") + " update="
                    + c.update().map(u -> u.root().toString()).orElse("off") + " console="
                    + config.console().map(k -> k.serial().device()).orElse("off") + " access="
                    + config.access().map(a -> "keys " + a.keys().keyIds()).orElse("off (nobody can log in)"));
            com.oviron.callidus.agent.diagnostics.DiagnosticsSettings d = config.diagnostics();
            out.println("diagnostics: alarm rules=" + d.rules().size() + " usage operating="
                    + d.usage().operating().map(Object::toString).orElse("none") + " instruments="
                    + d.usage().instruments().keySet() + " treatments from " + (d.usage().treatmentsFromGpio() ? "gpio"
                    : "instruments") + " keep minutes/hours/days=" + d.retention().keepMinutesMillis() / 86_400_000
                    + "/" + d.retention().keepHoursMillis() / 86_400_000 + "/" + d.retention().keepDaysMillis()
                    / 86_400_000 + " days reports export=" + d.exportFolder().map(Object::toString).orElse("off")
                    + " catalog=" + com.oviron.callidus.agent.diagnostics.ErrorCatalog.shipped().version());
            return EXIT_OK;
        }
        configureLogging(config.log(), System.getenv());
        StartupChecks.warn(config, ProcessUser.current());

        // before the first database opens: the driver's native library from the agent's own folder (ADR 0028)
        com.oviron.callidus.store.sqlite.SqliteNativeLibrary.useFolder(Agent.stateFolder(config).resolve("native"));
        // one agent per store, for the life of the process: released by the kernel even after SIGKILL
        StoreLock lock;
        try {
            lock = StoreLock.acquire(Agent.stateFolder(config));
        } catch (StoreLock.HeldException e) {
            Logger.error("agent cannot start error={}", e.getMessage());
            err.println("error: agent cannot start: " + e.getMessage());
            return EXIT_FAILURE;
        }
        Agent agent;
        try {
            agent = Agent.start(config, Clock.systemUTC());
        } catch (StoreException | RuntimeException e) {
            lock.close();
            Logger.error("agent cannot start error={}", e.getMessage());
            err.println("error: agent cannot start: " + e.getMessage());
            return EXIT_FAILURE;
        }
        // under systemd (Type=notify): READY=1, the watchdog, STOPPING=1 first thing on the way down
        Optional<ServiceWatchdog> service = AgentService.notifySystemd(agent, config, System.getenv());
        logReady();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.ifPresent(ServiceWatchdog::close);
            agent.close();
            lock.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    /**
     * The start-up's end (store open, board asked, broker connect started) with the time since the process
     * started, which {@code tools benchmark startup} reads (docs/performance.md), and what became of the class
     * archive the launcher passed (ADR 0028).
     */
    private static void logReady() {
        String startMs = StartTime.millisSinceProcessStart().map(String::valueOf).orElse("unknown");
        ClassArchive archive = ClassArchive.ofThisJvm();
        ClassArchive.State state = archive.confirm();
        String cpuMs = StartTime.cpuMillis().map(String::valueOf).orElse("unknown");
        Logger.info("agent ready startMs={} cpuMs={} classArchive={}", startMs, cpuMs,
                state.name().toLowerCase(java.util.Locale.ROOT));
        String file = archive.file().map(Path::toString).orElse("");
        switch (state) {
            case IGNORED -> Logger.warn("class archive not used by the JVM (made for another jar or Java, or damaged):"
                    + " removed, the next start has a new one written when it stops file={}", file);
            case CREATING -> Logger.info("class archive for this jar is written when the agent stops file={}", file);
            default -> {
                // USED, OFF: the ready line says it
            }
        }
    }

    /**
     * tinylog reads its configuration once, at the first log call: this must run before any logging. Under
     * systemd ({@code JOURNAL_STREAM} set: standard output goes to the journal) lines carry their syslog
     * priority and no time stamp (the journal adds its own); elsewhere they start with the local time.
     */
    static void configureLogging(AgentConfig.Log log, Map<String, String> env) {
        SwitchableConsoleWriter.setLevel(log.level());
        if (Configuration.isFrozen()) {
            return;
        }
        Configuration.replace(loggingProperties(log, env.containsKey("JOURNAL_STREAM")));
    }

    static Map<String, String> loggingProperties(AgentConfig.Log log, boolean journal) {
        Map<String, String> p = new java.util.HashMap<>(Map.of(
                // Pi4J (through SLF4J) is chatty at info, and its board detection reports errors on any
                // controller that is not a Raspberry Pi even when the gpiod chip works
                "level@com.pi4j", "warn",
                "level@com.pi4j.boardinfo", "off",
                // the level is switched by the writers (command log.set-level); tinylog lets debug through to them
                "level", "debug",
                "writingthread", "false",
                // the agent logs while it stops in the shutdown hook: tinylog must not close first
                "autoshutdown", "false"));
        String lineFormat = "{level} [{thread}] {message}";
        p.put("writer", "switchable console");
        p.put("writer.level", "debug");
        p.put("writer.stream", "out");
        p.put("writer.journal", Boolean.toString(journal));
        p.put("writer.format", journal ? lineFormat : "{date:yyyy-MM-dd HH:mm:ss.SSS} " + lineFormat);
        log.file().ifPresent(file -> {
            p.put("writer2", "switchable rolling file");
            p.put("writer2.level", "debug");
            // agent.log is a link to the newest of agent.0.log, agent.1.log, ...; the oldest beyond backups go
            p.put("writer2.file", numbered(file).toString());
            p.put("writer2.latest", file.toString());
            p.put("writer2.format", "{date:yyyy-MM-dd HH:mm:ss.SSS} " + lineFormat);
            p.put("writer2.policies", "size: " + log.fileMaxMb() + "mb");
            // tinylog's backups count the current file too
            p.put("writer2.backups", Integer.toString(log.fileBackups() + 1));
            p.put("writer2.charset", "UTF-8");
        });
        return p;
    }

    /** agent.log → agent.{count}.log: tinylog's pattern for the rolled files. */
    static Path numbered(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String pattern = dot > 0 ? name.substring(0, dot) + ".{count}" + name.substring(dot) : name + ".{count}";
        return file.resolveSibling(pattern);
    }
}
