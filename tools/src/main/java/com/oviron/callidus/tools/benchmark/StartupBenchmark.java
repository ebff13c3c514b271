package com.oviron.callidus.tools.benchmark;

import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code benchmark startup}: the packaged agent started through the launcher as the systemd unit starts it,
 * {@code runs} times per case, and the time from the process's start to its "agent ready" line (store open,
 * board asked, broker connect started) against the 1 s goal: with and without a backlog of {@code backlog}
 * readings waiting in its store, with and without the class archive (AppCDS, ADR 0028), and with the JVM's
 * default flags as the baseline. No broker listens: the start-up must not wait for one.
 */
final class StartupBenchmark {
    static final long GOAL_MS = 1000;
    private static final Duration WAIT = Duration.ofMinutes(2);

    private final PrintStream out;
    private final long backlog;
    private final int runs;
    private final Path jar;
    private final Path launcher;
    private final Path unit;

    StartupBenchmark(PrintStream out, long backlog, int runs, Path jar, Path launcher, Path unit) {
        this.out = out;
        this.backlog = backlog;
        this.runs = runs;
        this.jar = jar;
        this.launcher = launcher;
        this.unit = unit;
    }

    int run() throws Exception {
        PackagedAgent.requireFiles(jar, launcher, unit);
        Map<String, String> unitEnv = PackagedAgent.unitEnvironment(unit);
        Path dir = Files.createTempDirectory("callidus-startup-");
        out.printf(Locale.ROOT, "startup: %d runs per case, backlog %,d readings; unit %s: CALLIDUS_JAVA_OPTS=%s"
                + " MALLOC_ARENA_MAX=%s CALLIDUS_CLASS_ARCHIVE_DIR=%s; load average %s; files in %s%n", runs,
                backlog, unit, unitEnv.getOrDefault("CALLIDUS_JAVA_OPTS", ""), unitEnv.getOrDefault("MALLOC_ARENA_MAX",
                        "-"), unitEnv.containsKey("CALLIDUS_CLASS_ARCHIVE_DIR") ? "set" : "-",
                PackagedAgent.loadAverage(), dir);
        try {
            Path root = PackagedAgent.slotRoot(dir, jar, launcher);
            Path empty = dir.resolve("empty");
            Path full = dir.resolve("full");
            Files.createDirectories(empty);
            Files.createDirectories(full);
            long t0 = System.nanoTime();
            prepareBacklog(full.resolve("agent.db"));
            out.printf(Locale.ROOT, "backlog of %,d readings prepared in %.1f s%n", backlog,
                    (System.nanoTime() - t0) / 1e9);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort(); // closed again: nothing listens there
            }
            Map<String, String> withoutArchive = new LinkedHashMap<>(unitEnv);
            withoutArchive.remove("CALLIDUS_CLASS_ARCHIVE_DIR");
            Map<String, String> withArchive = new LinkedHashMap<>(unitEnv);
            withArchive.put("CALLIDUS_CLASS_ARCHIVE_DIR", dir.resolve("cds").toString());
            Map<String, String> defaults = Map.of("CALLIDUS_JAVA_OPTS", "-Xmx24m");

            out.println();
            out.println("| JVM flags | class archive | backlog | ready after (ms), each run | median (ms) |"
                    + " CPU to ready (ms), median | store check (at open / after start) | goal (1000 ms) |");
            out.println("|---|---|---:|---|---:|---:|---|---|");
            for (Path data : List.of(empty, full)) {
                Path config = config(dir, data, port);
                String readings = data == empty ? "0" : String.format(Locale.ROOT, "%,d", backlog);
                row("default (-Xmx24m)", "none", readings, measure(root, config, defaults, dir, false));
                row("the unit's", "none", readings, measure(root, config, withoutArchive, dir, false));
                row("the unit's", "used", readings, measure(root, config, withArchive, dir, true));
            }
            out.printf(Locale.ROOT, "load average after: %s%n", PackagedAgent.loadAverage());
        } finally {
            TempFolders.deleteQuietly(dir);
        }
        return 0;
    }

    private void row(String flags, String archive, String readings, List<Ready> runs) {
        List<Long> ms = runs.stream().map(Ready::startMs).toList();
        long median = median(ms);
        long cpu = median(runs.stream().map(Ready::cpuMs).toList());
        long afterStart = runs.stream().filter(Ready::checkAfterStart).count();
        String check = (runs.size() - afterStart) + " / " + afterStart;
        out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %s | %s |%n", flags, archive, readings, ms, median,
                cpu, check,
                median <= GOAL_MS ? "met" : "missed");
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /**
     * {@code runs} starts to the ready line, each stopped with SIGTERM; with the archive, one start before them
     * makes it (the JVM writes it at exit, the launcher checks it at the next start) and is not counted.
     */
    private List<Ready> measure(Path root, Path config, Map<String, String> env, Path dir, boolean archive)
            throws Exception {
        if (archive) {
            Ready r = once(root, config, env, dir);
            if (!r.classArchive().equals("creating") && !r.classArchive().equals("used")) {
                throw new IOException("the launcher made no class archive (classArchive=" + r.classArchive() + ")");
            }
        }
        List<Ready> all = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Ready r = once(root, config, env, dir);
            if (archive && !r.classArchive().equals("used")) {
                throw new IOException("the class archive was not used (classArchive=" + r.classArchive() + ")");
            }
            all.add(r);
        }
        return all;
    }

    /** One start: the ready line's figures, and whether the store checked its file after start (not at open). */
    private record Ready(long startMs, long cpuMs, String classArchive, boolean checkAfterStart) {
    }

    private Ready once(Path root, Path config, Map<String, String> env, Path dir) throws Exception {
        Path log = dir.resolve("agent.log");
        Files.deleteIfExists(log);
        try (PackagedAgent agent = PackagedAgent.start(launcher, root, config, env, log)) {
            PackagedAgent.Ready r = agent.awaitReady(WAIT);
            // as a unit that ran a while: a store that skipped its check at open runs it after start; stopped
            // before that, it would leave no clean-close note and the next start would check at open again
            boolean afterStart = agent.output().contains("store check at open skipped");
            if (afterStart) {
                agent.awaitLine("store check after start ok", WAIT);
            }
            agent.stop(WAIT);
            return new Ready(r.startMs(), r.cpuMs(), r.classArchive(), afterStart);
        }
    }

    private static Path config(Path dir, Path data, int port) throws IOException {
        Path file = data.resolve("agent.json");
        Files.writeString(file, """
                {"device": {"id": "CAL-START-0001"},
                 "hal": {"source": "simulator", "seed": 7, "samplePeriod": "100ms"},
                 "store": {"path": "%s"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://127.0.0.1:%d"},
                 "shutdown": {"drainTimeout": "0ms"}}
                """.formatted(data.resolve("agent.db"), port));
        return file;
    }

    /** The simulator's channels at 10 Hz, ending now: as a unit that was offline for hours. */
    private void prepareBacklog(Path db) throws Exception {
        List<String> channels = new SimulatedCallidusBoard(Clock.systemUTC(), 1).channels().stream().map(Channel::id)
                .toList();
        long ts = System.currentTimeMillis() - backlog / channels.size() * 100;
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(db, Durability.FULL,
                RetentionSettings.defaults(), Clock.systemUTC())) {
            List<NewReading> group = new ArrayList<>(10_000);
            long done = 0;
            while (done < backlog) {
                for (int c = 0; c < channels.size() && done < backlog; c++, done++) {
                    group.add(new NewReading(channels.get(c), ts, 20 + (done % 97) / 10.0, 0));
                }
                if (group.size() >= 10_000) {
                    outbox.append(group);
                    group.clear();
                }
                ts += 100;
            }
            if (!group.isEmpty()) {
                outbox.append(group);
            }
        }
    }
}
