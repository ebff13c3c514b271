package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script's decisions, run with {@code sh} against a temporary root and a fake "java" that
 * records what it was asked to start.
 */
class CallidusLaunchTest {
    static final Path SCRIPT = Path.of("src", "main", "dist", "callidus-launch");

    @TempDir
    Path dir;
    Path root;
    Path fakeJava;
    SlotManager slots;

    @BeforeEach
    void setUp() throws Exception {
        root = dir.resolve("root");
        slots = SlotManager.initialize(root, "a", Version.parse("1.0.0"), 1);
        Files.writeString(slots.slotFolder("a").resolve("callidus-agent.jar"), "A");
        Files.writeString(slots.slotFolder("b").resolve("callidus-agent.jar"), "B");
        fakeJava = dir.resolve("java");
        // prints its arguments and the jar it would run, as the launcher resolved it
        Files.writeString(fakeJava, "#!/bin/sh\necho \"args: $*\"\n"
                + "cat \"$2\"; echo\nexit 7\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int exit, String out) {
    }

    Run launch(String maxAttempts) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", SCRIPT.toString(), "--config", "/etc/callidus/agent.json")
                .redirectErrorStream(true);
        pb.environment().put("CALLIDUS_ROOT", root.toString());
        pb.environment().put("CALLIDUS_JAVA", fakeJava.toString());
        pb.environment().put("CALLIDUS_MAX_ATTEMPTS", maxAttempts);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    void trial(int attempts) throws Exception {
        PackageFixtures fx = new PackageFixtures(Files.createDirectories(dir.resolve("pkgs")));
        VerifiedPackage pkg = new UpdatePackageVerifier(fx.pinned(), Optional.empty(), slots::installed, () -> true,
                () -> Long.MAX_VALUE, 1_000_000).verify(fx.release("1.1.0", 4, "r110"));
        slots.install(pkg, (f, i, n) -> { }, () -> false);
        Files.writeString(slots.slotFolder("b").resolve("callidus-agent.jar"), "B");
        slots.beginTrial(pkg.manifest(), 5);
        String state = Files.readString(root.resolve(SlotManager.STATE_FILE));
        Files.writeString(root.resolve(SlotManager.STATE_FILE), state.replace("attempts=0", "attempts=" + attempts));
    }

    @Test
    void without_a_trial_it_starts_the_committed_slot_with_the_given_arguments() throws Exception {
        Run r = launch("1");
        assertEquals(7, r.exit(), "exec'd java's exit code passes through; " + r.out());
        assertTrue(r.out().contains("args: -jar " + root + "/current/callidus-agent.jar --config /etc/callidus/agent.json"),
                r.out());
        assertTrue(r.out().contains("\nA\n"), r.out());
    }

    @Test
    void it_repairs_a_current_link_that_disagrees_with_the_state() throws Exception {
        Files.delete(root.resolve("current"));
        Files.createSymbolicLink(root.resolve("current"), Path.of("slots", "b"));
        Run r = launch("1");
        assertTrue(r.out().contains("\nA\n"), r.out());
        assertEquals(Optional.of("a"), slots.currentSlot());
    }

    @Test
    void a_fresh_trial_is_started_and_its_attempt_counted() throws Exception {
        trial(0);
        Run r = launch("1");
        assertTrue(r.out().contains("\nB\n"), r.out());
        SlotState s = SlotManager.open(root).state();
        assertEquals(1, s.trial().orElseThrow().attempts());
        assertEquals(Optional.of("b"), slots.currentSlot());
    }

    @Test
    void a_trial_that_used_its_attempts_is_rolled_back_before_java_starts() throws Exception {
        trial(1);
        Run r = launch("1");
        assertTrue(r.out().contains("\nA\n"), r.out());
        assertTrue(r.out().contains("rolling back to slot a"), r.out());
        SlotState s = SlotManager.open(root).state(); // the Java side reads what the script wrote
        assertTrue(s.trial().isEmpty());
        assertEquals("a", s.committedSlot());
        assertEquals(1, s.securityFloor());
        SlotState.LastResult last = s.last().orElseThrow();
        assertEquals("rolled-back", last.outcome());
        assertEquals("1.1.0", last.version().toString());
        assertTrue(last.reason().contains("health check"), last.reason());
        assertTrue(last.atMillis() > 0);
        assertEquals(false, last.reported());
        assertEquals(Optional.of("a"), slots.currentSlot());
        assertTrue(Files.notExists(root.resolve("update.state.launch.tmp")));
    }

    @Test
    void with_two_attempts_allowed_a_trial_gets_a_second_start() throws Exception {
        trial(1);
        Run r = launch("2");
        assertTrue(r.out().contains("\nB\n"), r.out());
        assertEquals(2, SlotManager.open(root).state().trial().orElseThrow().attempts());
        r = launch("2");
        assertTrue(r.out().contains("\nA\n"), r.out());
        assertTrue(SlotManager.open(root).state().trial().isEmpty());
    }

    @Test
    void a_damaged_attempt_count_counts_as_used_up() throws Exception {
        trial(0);
        String state = Files.readString(root.resolve(SlotManager.STATE_FILE));
        Files.writeString(root.resolve(SlotManager.STATE_FILE), state.replace("attempts=0", "attempts=x;rm -rf /"));
        Run r = launch("1");
        assertTrue(r.out().contains("\nA\n"), r.out());
        assertTrue(SlotManager.open(root).state().trial().isEmpty());
    }

    @Test
    void without_a_state_file_it_starts_current_as_it_is() throws Exception {
        Files.delete(root.resolve(SlotManager.STATE_FILE));
        Run r = launch("1");
        assertTrue(r.out().contains("no update state"), r.out());
        assertTrue(r.out().contains("\nA\n"), r.out());
    }
}
