package com.oviron.callidus.tools.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged agent as a child process, started as the systemd unit starts it: through the launcher from an
 * A/B slot root, with the unit's {@code Environment=} (or the JVM flags given instead), and the figures the
 * start-up and steady-state benchmarks read from it: the "agent ready startMs=" line, CPU ticks, RSS and
 * threads from /proc.
 */
final class PackagedAgent implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("agent ready startMs=(\\d+) cpuMs=(\\d+) classArchive=(\\w+)");
    /** USER_HZ: /proc's clock ticks per second. */
    static final int TICKS_PER_SECOND = 100;

    private final Process process;
    private final Path log;

    private PackagedAgent(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The unit's Environment= lines as a map (quotes removed), in order. */
    /** Fails with what to do when the packaged jar, the launcher or the unit file is not there. */
    static void requireFiles(Path jar, Path launcher, Path unit) throws IOException {
        for (Path p : java.util.List.of(jar, launcher, unit)) {
            if (!java.nio.file.Files.isRegularFile(p)) {
                throw new IOException("needs " + p + " (run from the repository after mvn package, or pass"
                        + " --agent-jar, --launcher and --unit)");
            }
        }
    }

    static Map<String, String> unitEnvironment(Path unit) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(unit)) {
            if (!line.startsWith("Environment=")) {
                continue;
            }
            String v = line.substring("Environment=".length()).strip();
            if (v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1);
            }
            int eq = v.indexOf('=');
            if (eq > 0) {
                env.put(v.substring(0, eq), v.substring(eq + 1));
            }
        }
        return env;
    }

    /**
     * Starts {@code sh launcher --config config} with CALLIDUS_ROOT {@code root}, the given environment on top
     * of this one (CALLIDUS_JAVA_OPTS, MALLOC_ARENA_MAX, CALLIDUS_CLASS_ARCHIVE_DIR...), output to {@code log}.
     */
    static PackagedAgent start(Path launcher, Path root, Path config, Map<String, String> env, Path log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", launcher.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("CALLIDUS_CLASS_ARCHIVE_DIR");
        pb.environment().remove("MALLOC_ARENA_MAX");
        pb.environment().putAll(env);
        // the unit's own root and Java are those of an installed unit: here the temporary slot root and this JDK
        pb.environment().put("CALLIDUS_ROOT", root.toString());
        pb.environment().put("CALLIDUS_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new PackagedAgent(pb.start(), log);
    }

    long pid() {
        return process.pid();
    }

    /** The ready line's startMs and class archive state, waiting for it at most {@code wait}. */
    Ready awaitReady(Duration wait) throws IOException, InterruptedException {
        Matcher m = awaitMatch(READY, "'agent ready' line", wait);
        return new Ready(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3));
    }

    record Ready(long startMs, long cpuMs, String classArchive) {
    }

    /** Waits at most {@code wait} for a line containing {@code text} in the agent's output. */
    void awaitLine(String text, Duration wait) throws IOException, InterruptedException {
        awaitMatch(Pattern.compile(Pattern.quote(text)), "'" + text + "'", wait);
    }

    private Matcher awaitMatch(Pattern pattern, String what, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                throw new IOException("the agent exited with " + process.exitValue() + " before " + what + ":\n"
                        + tail());
            }
            Thread.sleep(20);
        }
        throw new IOException("no " + what + " within " + wait.toSeconds() + " s:\n" + tail());
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private String tail() throws IOException {
        String all = output();
        return all.length() > 3000 ? all.substring(all.length() - 3000) : all;
    }

    /** SIGTERM, then the exit code (the JVM writes a class archive at exit when the launcher asked for one). */
    int stop(Duration wait) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /** utime + stime of the process (all its threads) in clock ticks, from /proc/pid/stat. */
    Optional<Long> cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            return Optional.of(Long.parseLong(f[11]) + Long.parseLong(f[12])); // fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A "Key: value" number of /proc/pid/status (VmRSS in kB, Threads). */
    Optional<Long> status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(key + ":")) {
                    return Optional.of(Long.parseLong(line.substring(key.length() + 1).replace("kB", "").strip()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The JVM flags as words, for a table cell. */
    static String words(List<String> flags) {
        return flags.isEmpty() ? "(none)" : String.join(" ", flags);
    }

    /** A temporary slot root with the jar in slot a and the launcher beside it. */
    static Path slotRoot(Path dir, Path jar, Path launcher) throws IOException {
        Path root = dir.resolve("callidus");
        Files.createDirectories(root.resolve("slots").resolve("a"));
        Files.copy(jar, root.resolve("slots/a/callidus-agent.jar"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(launcher, root.resolve("bin/callidus-launch"));
        return root;
    }

    /** Load average (1, 5, 15 min) from /proc/loadavg, for the figures' context. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" +");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static List<String> split(String opts) {
        List<String> words = new ArrayList<>();
        for (String w : opts.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
