package com.oviron.callidus.tools.benchmark;

import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code benchmark steady}: the packaged agent, started through the launcher as the systemd unit starts it,
 * with the simulator at {@code rate} readings/s publishing to Debian's mosquitto: CPU (utime + stime from
 * /proc/pid/stat per second of wall time, in % of one core), RSS (VmRSS) and threads over {@code seconds}
 * after a warm-up, against the goals 1 % and 64 MB, with the JVM's default flags ({@code -Xmx24m} only) as the
 * baseline in the same run. Both with {@code -Xmx24m}: the unit's other flags as they are in the unit file.
 *
 * <p>Two shapes of the same rate: the simulator's nine channels sampled as often as the rate needs (every 18 ms
 * at 500 readings/s: 55 wake-ups a second), and the unit the goals are stated for, 50 channels at the unit's
 * default 10 Hz ({@code hal.simulatorExtraChannels} adds 41 made-up ones; the period is the rate's), with the
 * unit's flags.
 */
final class SteadyBenchmark {
    static final double CPU_GOAL_PERCENT = 1.0;
    static final long RSS_GOAL_MIB = 64;
    private static final Duration WARM_UP = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Pattern ACCEPTED = Pattern.compile("sampler stopped samples=\\d+ accepted=(\\d+)");
    /** The unit the goals speak of: 50 channels at 10 Hz. */
    static final int UNIT_CHANNELS = 50;

    private final PrintStream out;
    private final int rate;
    private final Duration length;
    private final Path jar;
    private final Path launcher;
    private final Path unit;

    SteadyBenchmark(PrintStream out, int rate, Duration length, Path jar, Path launcher, Path unit) {
        this.out = out;
        this.rate = rate;
        this.length = length;
        this.jar = jar;
        this.launcher = launcher;
        this.unit = unit;
    }

    int run() throws Exception {
        PackagedAgent.requireFiles(jar, launcher, unit);
        int channels = new SimulatedCallidusBoard(Clock.systemUTC(), 1).channels().size();
        long periodMs = Math.max(1, Math.round(channels * 1000.0 / rate));
        Map<String, String> unitEnv = PackagedAgent.unitEnvironment(unit);
        Map<String, String> tuned = new LinkedHashMap<>(unitEnv);
        tuned.put("CALLIDUS_JAVA_OPTS", withHeap(unitEnv.getOrDefault("CALLIDUS_JAVA_OPTS", "")));
        Path dir = Files.createTempDirectory("callidus-steady-");
        tuned.computeIfPresent("CALLIDUS_CLASS_ARCHIVE_DIR", (k, v) -> dir.resolve("cds").toString());
        Map<String, String> defaults = Map.of("CALLIDUS_JAVA_OPTS", "-Xmx24m");
        out.printf(Locale.ROOT, "steady: simulator %d channels every %d ms (%.0f readings/s) to Debian's mosquitto;"
                + " %d s measured after %d s warm-up; load average %s; files in %s%n", channels, periodMs,
                channels * 1000.0 / periodMs, length.toSeconds(), WARM_UP.toSeconds(), PackagedAgent.loadAverage(), dir);
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"))) {
            Path root = PackagedAgent.slotRoot(dir, jar, launcher);
            out.println();
            out.println("| JVM flags | environment | CPU (% of one core) | RSS mean / max (MiB) | threads |"
                    + " readings/s stored | goals (1 %, 64 MiB) |");
            out.println("|---|---|---:|---:|---:|---:|---|");
            String unitFlags = PackagedAgent.words(PackagedAgent.split(tuned.get("CALLIDUS_JAVA_OPTS")));
            measure("default: -Xmx24m", "", defaults, root, dir, broker, channels, periodMs, "baseline");
            if (tuned.containsKey("CALLIDUS_CLASS_ARCHIVE_DIR")) {
                // the unit's archive is made by a first start and stop, as on the unit
                once(tuned, root, dir, broker, channels, periodMs, Duration.ZERO);
            }
            measure(unitFlags, "", tuned, root, dir, broker, channels, periodMs, null);
            long unitPeriodMs = Math.max(1, Math.round(UNIT_CHANNELS * 1000.0 / rate));
            measure(unitFlags, f("; %d channels (%d made up) every %d ms", UNIT_CHANNELS, extra(UNIT_CHANNELS),
                    unitPeriodMs), tuned, root, dir, broker, UNIT_CHANNELS, unitPeriodMs, null);
            out.printf(Locale.ROOT, "load average after: %s%n", PackagedAgent.loadAverage());
        } finally {
            TempFolders.deleteQuietly(dir);
        }
        return 0;
    }

    /** Made-up channels beside the simulator's own to make {@code channels}. */
    static int extra(int channels) {
        return Math.max(0, channels - SimulatedCallidusBoard.CHANNELS.size());
    }

    /** The unit's JVM options with the heap the goal is stated for: -Xmx24m. */
    static String withHeap(String opts) {
        StringBuilder b = new StringBuilder("-Xmx24m");
        for (String w : PackagedAgent.split(opts)) {
            if (!w.startsWith("-Xmx")) {
                b.append(' ').append(w);
            }
        }
        return b.toString();
    }

    private record Figures(double cpuPercent, double rssMeanMib, double rssMaxMib, long threads, double stored) {
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private void measure(String label, String shape, Map<String, String> env, Path root, Path dir,
                         MosquittoBroker broker, int channels, long periodMs, String verdictOverride) throws Exception {
        Figures f = once(env, root, dir, broker, channels, periodMs, length);
        String environment = env.containsKey("MALLOC_ARENA_MAX") ? "MALLOC_ARENA_MAX=" + env.get("MALLOC_ARENA_MAX")
                : "-";
        if (env.containsKey("CALLIDUS_CLASS_ARCHIVE_DIR")) {
            environment += ", class archive";
        }
        environment += shape;
        boolean met = f.cpuPercent() <= CPU_GOAL_PERCENT && f.rssMaxMib() <= RSS_GOAL_MIB;
        out.printf(Locale.ROOT, "| %s | %s | %.2f | %.1f / %.1f | %d | %.0f | %s |%n", label, environment,
                f.cpuPercent(), f.rssMeanMib(), f.rssMaxMib(), f.threads(), f.stored(),
                verdictOverride != null ? verdictOverride + (met ? " (met)" : " (missed)") : met ? "met" : "missed");
    }

    private Figures once(Map<String, String> env, Path root, Path dir, MosquittoBroker broker, int channels,
                         long periodMs, Duration measured) throws Exception {
        Path data = dir.resolve("data");
        TempFolders.deleteQuietly(data);
        Files.createDirectories(data);
        Path config = data.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "CAL-STEADY-0001"},
                 "hal": {"source": "simulator", "seed": 5, "samplePeriod": "%dms", "simulatorExtraChannels": %d},
                 "store": {"path": "%s"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s"},
                 "shutdown": {"drainTimeout": "1s"}}
                """.formatted(periodMs, extra(channels), data.resolve("agent.db"), broker.uri()));
        Path log = dir.resolve("agent.log");
        Files.deleteIfExists(log);
        try (PackagedAgent agent = PackagedAgent.start(launcher, root, config, env, log)) {
            agent.awaitReady(WAIT);
            if (measured.isZero()) {
                agent.stop(WAIT);
                return new Figures(0, 0, 0, 0, 0);
            }
            Thread.sleep(WARM_UP.toMillis()); // the JIT and the first batches settle before the figures count
            long ticks0 = agent.cpuTicks().orElseThrow(() -> new IOException("no /proc/pid/stat"));
            long t0 = System.nanoTime();
            long rssSum = 0;
            long rssMax = 0;
            int samples = 0;
            while (System.nanoTime() - t0 < measured.toNanos()) {
                Thread.sleep(1000); // one RSS sample a second
                long kb = agent.status("VmRSS").orElse(0L);
                rssSum += kb;
                rssMax = Math.max(rssMax, kb);
                samples++;
            }
            long ticks1 = agent.cpuTicks().orElseThrow(() -> new IOException("no /proc/pid/stat"));
            double wall = (System.nanoTime() - t0) / 1e9;
            long threads = agent.status("Threads").orElse(-1L);
            long started = System.nanoTime();
            agent.stop(WAIT);
            Matcher m = ACCEPTED.matcher(agent.output());
            double runSeconds = (started - t0) / 1e9 + WARM_UP.toSeconds();
            double stored = m.find() ? Long.parseLong(m.group(1)) / runSeconds : Double.NaN;
            double cpu = (ticks1 - ticks0) / (double) PackagedAgent.TICKS_PER_SECOND / wall * 100;
            return new Figures(cpu, rssSum / 1024.0 / Math.max(1, samples), rssMax / 1024.0, threads, stored);
        }
    }
}
