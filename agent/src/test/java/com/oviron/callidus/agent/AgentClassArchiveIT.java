package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class archive (AppCDS, ADR 0028) with the real JVM: the packaged jar started through the launcher from a
 * slot root as the systemd unit starts it, with CALLIDUS_CLASS_ARCHIVE_DIR. The first stop writes the archive,
 * the next start checks it, maps it and says so in its ready line; a damaged archive, one cut short (the kind
 * that crashes the JVM that maps it) or one of another jar never keeps the agent from getting ready.
 */
class AgentClassArchiveIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Path LAUNCHER = Path.of("src", "main", "dist", "callidus-launch");
    private static final Pattern READY = Pattern.compile("agent ready startMs=(\\d+) cpuMs=(\\d+) classArchive=(\\w+)");

    @TempDir
    Path dir;
    Path root;
    Path archives;
    Path config;
    int start;

    @BeforeEach
    void setUp() throws Exception {
        assertTrue(Files.exists(PackagedAgent.JAR), "run after package: " + PackagedAgent.JAR.toAbsolutePath());
        root = dir.resolve("update");
        Files.createDirectories(root.resolve("slots/a"));
        Files.copy(PackagedAgent.JAR.toAbsolutePath(), root.resolve("slots/a/callidus-agent.jar"));
        archives = dir.resolve("cds");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there: a start never waits for a broker
        }
        config = dir.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "CAL-CDS-0001"},
                 "hal": {"source": "simulator", "seed": 3, "samplePeriod": "100ms"},
                 "store": {"path": "%s"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://127.0.0.1:%d"},
                 "shutdown": {"drainTimeout": "0ms"}}
                """.formatted(dir.resolve("data/agent.db"), port));
    }

    record Start(int exit, String log, String classArchive) {
    }

    /** One start through the launcher, until the ready line (or an exit), then SIGTERM. */
    Start startAndStop() throws Exception {
        Path log = dir.resolve("agent-" + (++start) + ".log");
        // in the temporary folder: a JVM that crashes on an archive cut short leaves its hs_err file there
        ProcessBuilder pb = new ProcessBuilder("sh", LAUNCHER.toAbsolutePath().toString(), "--config",
                config.toString()).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CALLIDUS_ROOT", root.toString());
        pb.environment().put("CALLIDUS_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("CALLIDUS_JAVA_OPTS", "-Xmx64m -XX:+UseSerialGC");
        pb.environment().put("CALLIDUS_CLASS_ARCHIVE_DIR", archives.toString());
        Process p = pb.start();
        try {
            Await.until(() -> "a ready line or an exit; log:\n" + read(log), WAIT,
                    () -> READY.matcher(read(log)).find() || !p.isAlive());
            p.destroy(); // SIGTERM: a clean stop, when the JVM writes an archive it was asked for
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "no exit after SIGTERM:\n" + read(log));
        } finally {
            p.destroyForcibly();
        }
        String text = read(log);
        Matcher m = READY.matcher(text);
        return new Start(p.exitValue(), text, m.find() ? m.group(3) : "");
    }

    static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(archives)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    Path theArchive() throws IOException {
        List<String> jsa = names().stream().filter(n -> n.endsWith(".jsa")).toList();
        assertEquals(1, jsa.size(), names().toString());
        return archives.resolve(jsa.get(0));
    }

    @Test
    void the_first_stop_writes_the_archive_and_the_next_start_maps_it() throws Exception {
        Start first = startAndStop();
        assertEquals("creating", first.classArchive(), first.log());
        assertEquals(143, first.exit(), first.log());
        assertTrue(names().stream().anyMatch(n -> n.endsWith(".jsa.new")), names().toString());

        assertTrue(first.log().contains("sqlite native library extracted once"), first.log());
        try (Stream<Path> libs = Files.walk(dir.resolve("data/native"))) {
            assertEquals(1, libs.filter(p -> p.getFileName().toString().equals("libsqlitejdbc.so")).count());
        }

        Start second = startAndStop();
        assertFalse(second.log().contains("sqlite native library extracted"), "once is enough:\n" + second.log());
        assertEquals("used", second.classArchive(), second.log());
        assertTrue(second.log().contains("written at the last stop maps: in use from now on"), second.log());
        assertEquals(List.of(theArchive().getFileName().toString()), names(), "the marker is gone once ready");
        assertEquals(143, second.exit(), second.log());
    }

    @Test
    void a_damaged_archive_is_ignored_by_the_jvm_and_replaced() throws Exception {
        startAndStop();
        assertEquals("used", startAndStop().classArchive());
        Path archive = theArchive();
        byte[] noise = new byte[64 * 1024];
        new java.util.Random(1).nextBytes(noise);
        Files.write(archive, noise);

        Start damaged = startAndStop();
        assertEquals("ignored", damaged.classArchive(), damaged.log());
        assertTrue(damaged.log().contains("class archive not used by the JVM"), damaged.log());
        assertFalse(Files.exists(archive), "removed, so that the next start has a new one written");
        assertEquals("creating", startAndStop().classArchive());
        assertEquals("used", startAndStop().classArchive());
    }

    @Test
    void an_archive_cut_short_keeps_the_agent_from_getting_ready_at_most_once() throws Exception {
        startAndStop();
        assertEquals("used", startAndStop().classArchive());
        Path archive = theArchive();
        byte[] whole = Files.readAllBytes(archive);
        Files.write(archive, java.util.Arrays.copyOf(whole, whole.length / 2));

        // the JVM may crash mapping it (SIGBUS) or refuse it; either way the second start at the latest is ready
        Start cut = startAndStop();
        Start next = cut.classArchive().isEmpty() ? startAndStop() : cut;
        assertTrue(List.of("ignored", "creating").contains(next.classArchive()), cut.log() + "\n---\n" + next.log());
    }

    @Test
    void the_archive_of_a_replaced_jar_is_removed_and_a_new_one_written() throws Exception {
        startAndStop();
        assertEquals("used", startAndStop().classArchive());
        Path old = theArchive();
        // an update installed into the slot: the same path, another jar (here: another modification time)
        Path jar = root.resolve("slots/a/callidus-agent.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 86_400_000L));
        Start replaced = startAndStop();
        assertEquals("creating", replaced.classArchive(), replaced.log());
        assertFalse(Files.exists(old), names().toString());
        assertEquals("used", startAndStop().classArchive());
    }
}
