package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.oviron.callidus.cloud.testing.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The update crash test: the real launcher script starts real child JVMs ({@link UpdateCrashProbe}, which runs
 * the real UpdateBoot, UpdateService and SlotManager) and the test kills them with SIGKILL at every step of
 * verify, install, switch and first start, and lets a new version crash at start or fail its health check.
 * After each, the launcher is run again the way systemd would (again after every exit) until a version
 * reports it works: it must be the committed old version, or the new one once it has passed its health check,
 * and the state file, the {@code current} link and the slots must agree.
 */
class UpdateCrashIT {
    static final Path SCRIPT = Path.of("src", "main", "dist", "callidus-launch");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String KID = "crash-test";

    @TempDir
    Path dir;
    Path root;
    Path markers;
    KeyPair key = PackageFixtures.generate();
    Path v2;
    int runs;

    @BeforeEach
    void setUp() throws Exception {
        root = dir.resolve("root");
        markers = Files.createDirectories(dir.resolve("markers"));
        SlotManager slots = SlotManager.initialize(root, "a", Version.parse("1.0.0"), 1);
        probeJar(slots.slotFolder("a").resolve("callidus-agent.jar"), "1.0.0", "normal");
        v2 = release("1.1.0", "normal");
    }

    /** A slot jar: just a manifest naming the probe, its version and behaviour, and the test's class path. */
    static void probeJar(Path out, String version, String behavior) throws IOException, URISyntaxException {
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, UpdateCrashProbe.class.getName());
        a.putValue("Probe-Version", version);
        a.putValue("Probe-Behavior", behavior);
        List<String> classPath = new ArrayList<>();
        for (Class<?> c : List.of(UpdateCrashProbe.class, UpdateService.class, com.oviron.callidus.hal.StrictJson.class,
                com.oviron.callidus.store.state.DurableFiles.class, com.oviron.callidus.cloud.command.CommandCodec.class,
                com.google.gson.Gson.class, org.tinylog.Logger.class, org.tinylog.core.TinylogLoggingProvider.class)) {
            String url = c.getProtectionDomain().getCodeSource().getLocation().toURI().toString();
            if (!classPath.contains(url)) {
                classPath.add(url);
            }
        }
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        try (OutputStream o = Files.newOutputStream(out); JarOutputStream j = new JarOutputStream(o, m)) {
            j.flush();
        }
    }

    Path release(String version, String behavior) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src-" + version + "-" + behavior));
        Path jar = src.resolve("callidus-agent.jar");
        probeJar(jar, version, behavior);
        Path extra = src.resolve("extra.bin");
        Files.write(extra, new byte[300_000]);
        Path out = dir.resolve(version + "-" + behavior + ".cup");
        new UpdatePackageBuilder().add("callidus-agent.jar", jar, false).add("lib/extra.bin", extra, false)
                .build(Version.parse(version), 2, List.of("callidus-v1"), Instant.now(), KID, key.getPrivate(), out);
        return out;
    }

    Process launch(Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", SCRIPT.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("run-" + (runs++) + ".log").toFile()));
        pb.environment().put("CALLIDUS_ROOT", root.toString());
        pb.environment().put("CALLIDUS_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("CALLIDUS_MAX_ATTEMPTS", "1");
        pb.environment().put("PROBE_MARKERS", markers.toString());
        pb.environment().put("PROBE_PUBKEY", PackageFixtures.rawPublic(key));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Starts the unit with an install and kills it with SIGKILL once it reaches {@code hook}. */
    void killAt(String hook, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("PROBE_HOOK", hook);
        Process p = launch(env);
        Path marker = markers.resolve("hook-" + hook);
        try {
            Await.until(() -> "the probe at " + hook + "; " + logs(), WAIT, () -> Files.exists(marker) || !p.isAlive());
            assertTrue(Files.exists(marker), () -> "the probe ended before " + hook + " (exit " + p.exitValue() + "); "
                    + logs());
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        Files.delete(marker);
    }

    /**
     * Runs the launcher as systemd would (again after each exit) until a version writes "working"; returns
     * "version slot" and kills it.
     */
    String runUntilWorking(Map<String, String> env) throws Exception {
        Path working = markers.resolve("working");
        Files.deleteIfExists(working);
        for (int start = 0; start < 4; start++) {
            Process p = launch(env);
            try {
                Await.until(() -> "a working version or an exit; " + logs(), WAIT,
                        () -> Files.exists(working) || !p.isAlive());
                if (Files.exists(working)) {
                    return Files.readString(working);
                }
            } finally {
                p.destroyForcibly();
                assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            int exit = p.exitValue();
            assertTrue(exit == ProcessRestarter.EXIT_RESTART || exit == 1, () -> "exit " + exit + "; " + logs());
        }
        return fail("no working version after 4 starts; " + logs());
    }

    /** Starts the unit with an install and waits until it exits to restart into the new version. */
    void installAndRestart(Path pkg) throws Exception {
        Process p = launch(Map.of("PROBE_INSTALL", pkg.toString()));
        try {
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), () -> "no restart after the install; " + logs());
        } finally {
            p.destroyForcibly();
        }
        assertEquals(ProcessRestarter.EXIT_RESTART, p.exitValue(), this::logs);
        assertTrue(SlotManager.open(root).state().trial().isPresent());
    }

    void assertConsistent(String expectedVersion) throws Exception {
        SlotState s = SlotManager.open(root).state();
        assertTrue(s.trial().isEmpty(), "no trial left pending: " + s);
        assertEquals(expectedVersion, s.committedVersion().toString());
        assertEquals(Optional.of(s.committedSlot()), SlotManager.open(root).currentSlot(), "current follows the state");
        assertTrue(Files.isRegularFile(root.resolve("slots").resolve(s.committedSlot()).resolve("callidus-agent.jar")));
    }

    String logs() {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("run-")).sorted().toList()) {
                b.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
            Path status = markers.resolve("status.log");
            if (Files.exists(status)) {
                b.append("\n--- status.log\n").append(Files.readString(status));
            }
        } catch (IOException e) {
            b.append(e);
        }
        return b.toString();
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"received", "verifying", "installing", "file-1", "file-2", "switching"})
    void a_kill_before_the_switch_leaves_the_old_version_working_and_a_retry_succeeds(String hook) throws Exception {
        killAt(hook, Map.of("PROBE_INSTALL", v2.toString()));
        assertEquals("1.0.0 a", runUntilWorking(Map.of()));
        assertConsistent("1.0.0");
        // the unit can still be updated afterwards
        installAndRestart(v2);
        assertEquals("1.1.0 b", runUntilWorking(Map.of()));
        assertConsistent("1.1.0");
        assertEquals(2, SlotManager.open(root).state().securityFloor());
    }

    @Test
    void a_kill_after_the_switch_before_the_restart_starts_the_new_version_which_commits() throws Exception {
        killAt("restarting", Map.of("PROBE_INSTALL", v2.toString()));
        assertEquals("b", SlotManager.open(root).state().trial().orElseThrow().slot());
        assertEquals("1.1.0 b", runUntilWorking(Map.of()));
        assertConsistent("1.1.0");
        assertEquals("committed", SlotManager.open(root).state().last().orElseThrow().outcome());
    }

    @Test
    void a_kill_during_the_first_start_before_the_commit_rolls_back() throws Exception {
        installAndRestart(v2);
        killAt("health-check", Map.of());
        assertEquals("1.0.0 a", runUntilWorking(Map.of()));
        assertConsistent("1.0.0");
        SlotState.LastResult last = SlotManager.open(root).state().last().orElseThrow();
        assertEquals("rolled-back", last.outcome());
        assertEquals("1.1.0", last.version().toString());
        assertEquals(1, SlotManager.open(root).state().securityFloor(), "a rollback does not raise the floor");
    }

    @Test
    void a_new_version_that_crashes_at_start_is_rolled_back_by_the_launcher() throws Exception {
        Path crashing = release("1.1.0", "crash");
        installAndRestart(crashing);
        // the systemd-like loop starts the crashing trial, then the launcher rolls it back
        assertEquals("1.0.0 a", runUntilWorking(Map.of()));
        assertConsistent("1.0.0");
        assertTrue(logs().contains("probe 1.1.0 crashes at start"), this::logs);
        assertEquals("rolled-back", SlotManager.open(root).state().last().orElseThrow().outcome());
    }

    @Test
    void a_new_version_that_misses_its_health_deadline_rolls_itself_back() throws Exception {
        Path unhealthy = release("1.1.0", "unhealthy");
        installAndRestart(unhealthy);
        assertEquals("1.0.0 a", runUntilWorking(Map.of("PROBE_DEADLINE_MS", "1000")));
        assertConsistent("1.0.0");
        SlotState.LastResult last = SlotManager.open(root).state().last().orElseThrow();
        assertEquals("rolled-back", last.outcome());
        assertTrue(last.reason().contains("board not read"), last.reason());
        assertTrue(Files.readString(markers.resolve("status.log")).contains("1.1.0 rolled-back health-check"), this::logs);
    }
}
