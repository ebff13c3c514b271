package com.oviron.callidus.agent;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.folders.ProcessUser;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import com.oviron.callidus.agent.logging.SwitchableConsoleWriter;
import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;

/**
 * The agent's entry point: {@code java -jar callidus-agent.jar --config agent.json}. Builds everything by
 * hand (no framework), runs until SIGTERM/SIGINT, then shuts down cleanly.
 *
 * <p>Exit codes: 0 for --help/--version/--check-config; 2 for a usage or config error; 1 when the agent
 * cannot start (store unreadable, unsafe ownership or permissions of its own files ({@link StartupChecks}),
 * ...). Stopped by a signal, the JVM exits with 128 + the signal number after the clean shutdown (143 for
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

            Exit codes: 0 ok, 1 cannot start (e.g. unsafe permissions of its own files),
            2 usage or configuration error;
            after SIGTERM the agent shuts down cleanly and the JVM exits with 143.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
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
            err.println("error: " + e.getMessage());
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
                    + " broker=" + config.mqtt().brokerUri() + " samplePeriod="
                    + AgentConfigLoader.format(config.hal().samplePeriod()));
            AgentConfig.Cloud c = config.cloud();
            out.println("services: subscription=" + (config.subscription().isPresent() ? "checked"
                    : "NOT CHECKED (development)") + " settings=" + c.settings().map(s -> s.folder().toString())
                    .orElse("off") + " display=" + c.display().map(d -> d.displayFolder().toString()).orElse("off")
                    + " xray=" + c.xray().map(x -> x.viewerFolder().toString()).orElse("off") + " update="
                    + c.update().map(u -> u.root().toString()).orElse("off") + " console="
                    + config.console().map(k -> k.serial().device()).orElse("off") + " access="
                    + config.access().map(a -> "keys " + a.keys().keyIds()).orElse("off (nobody can log in)"));
            return EXIT_OK;
        }
        configureLogging(config.log().level());
        StartupChecks.warn(config, ProcessUser.current());

        Agent agent;
        try {
            agent = Agent.start(config, Clock.systemUTC());
        } catch (StoreException | RuntimeException e) {
            Logger.error("agent cannot start error={}", e.getMessage());
            err.println("error: agent cannot start: " + e.getMessage());
            return EXIT_FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    /** tinylog reads its configuration once, at the first log call: this must run before any logging. */
    static void configureLogging(String level) {
        SwitchableConsoleWriter.setLevel(level);
        if (Configuration.isFrozen()) {
            return;
        }
        Configuration.replace(Map.of(
                // Pi4J (through SLF4J) is chatty at info, and its board detection reports errors on any
                // controller that is not a Raspberry Pi even when the gpiod chip works
                "level@com.pi4j", "warn",
                "level@com.pi4j.boardinfo", "off",
                // the level is switched by the writer (command log.set-level); tinylog lets debug through to it
                "level", "debug",
                "writer", "switchable console",
                "writer.level", "debug",
                "writer.stream", "out",
                "writer.format", "{date:yyyy-MM-dd HH:mm:ss.SSS} {level} [{thread}] {message}",
                "writingthread", "false",
                // the agent logs while it stops in the shutdown hook: tinylog must not close first
                "autoshutdown", "false"));
    }
}
