package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
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
        // prints its arguments and the jar it would run, as the launcher resolved it; the launcher's check of a
        // new class archive (-version, its output discarded) leaves its arguments in version-check.args beside it
        // and exits with $FAKE_VERSION_EXIT
        Files.writeString(fakeJava, "#!/bin/sh\n"
                + "case \" $* \" in *\" -version \"*) echo \"$*\" > \"$(dirname \"$0\")/version-check.args\";"
                + " exit ${FAKE_VERSION_EXIT:-1};; esac\n"
                + "prev=; for a; do [ \"$prev\" = -jar ] && jar=$a; prev=$a; done\n"
                + "echo \"args: $*\"\ncat \"$jar\"; echo\nexit 7\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int exit, String out) {
    }

    Run launch(String maxAttempts) throws Exception {
        return launch(maxAttempts, Map.of());
    }

    Run launch(String maxAttempts, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", SCRIPT.toString(), "--config", "/etc/callidus/agent.json")
                .redirectErrorStream(true);
        pb.environment().put("CALLIDUS_ROOT", root.toString());
        pb.environment().put("CALLIDUS_JAVA", fakeJava.toString());
        pb.environment().put("CALLIDUS_MAX_ATTEMPTS", maxAttempts);
        pb.environment().remove("CALLIDUS_CLASS_ARCHIVE_DIR");
        pb.environment().putAll(env);
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

    // ---- the class archive (AppCDS, ADR 0028)

    /** The archive's name for the jar current points at: callidus-agent-<size>-<mtime>.jsa. */
    Path archiveFor(Path archives) throws Exception {
        Path jar = root.resolve("current/callidus-agent.jar").toRealPath();
        return archives.resolve("callidus-agent-" + Files.size(jar) + "-"
                + Files.getLastModifiedTime(jar).toMillis() / 1000 + ".jsa");
    }

    List<String> names(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void without_an_archive_for_this_jar_the_jvm_is_asked_to_write_one_when_it_exits() throws Exception {
        Path archives = dir.resolve("cds");
        Run r = launch("1", Map.of("CALLIDUS_CLASS_ARCHIVE_DIR", archives.toString()));
        Path archive = archiveFor(archives);
        assertTrue(r.out().contains("-XX:ArchiveClassesAtExit=" + archive + ".new "), r.out());
        assertTrue(r.out().contains("-Dcallidus.classArchive.mode=create"), r.out());
        assertFalse(r.out().contains("SharedArchiveFile"), r.out());
        assertTrue(r.out().contains("\nA\n"), r.out());
    }

    @Test
    void an_archive_for_this_jar_is_used_and_marked_unconfirmed_until_the_agent_is_ready() throws Exception {
        Path archives = Files.createDirectories(dir.resolve("cds"));
        launch("1"); // points current at slot a
        Path archive = archiveFor(archives);
        Files.writeString(archive, "an archive");
        Run r = launch("1", Map.of("CALLIDUS_CLASS_ARCHIVE_DIR", archives.toString()));
        assertTrue(r.out().contains("args: -XX:SharedArchiveFile=" + archive + " -Dcallidus.classArchive=" + archive
                + " -Dcallidus.classArchive.mode=use -jar "), r.out());
        assertTrue(Files.exists(Path.of(archive + ".unconfirmed")), "the marker the agent removes once ready");
    }

    @Test
    void an_archive_whose_last_start_never_got_ready_is_dropped() throws Exception {
        Path archives = Files.createDirectories(dir.resolve("cds"));
        launch("1");
        Path archive = archiveFor(archives);
        Files.writeString(archive, "an archive that crashed the JVM");
        Files.writeString(Path.of(archive + ".unconfirmed"), "");
        Run r = launch("1", Map.of("CALLIDUS_CLASS_ARCHIVE_DIR", archives.toString()));
        assertTrue(r.out().contains("did not get ready: archive dropped"), r.out());
        assertTrue(r.out().contains("-XX:ArchiveClassesAtExit=" + archive + ".new "), r.out());
        assertEquals(List.of(), names(archives));
        assertTrue(r.out().contains("\nA\n"), r.out());
    }

    @Test
    void archives_of_other_jars_are_removed() throws Exception {
        Path archives = Files.createDirectories(dir.resolve("cds"));
        Files.writeString(archives.resolve("callidus-agent-9-1.jsa"), "an earlier release's");
        Files.writeString(archives.resolve("callidus-agent-9-1.jsa.unconfirmed"), "");
        Files.writeString(archives.resolve("notes.txt"), "not the launcher's");
        launch("1", Map.of("CALLIDUS_CLASS_ARCHIVE_DIR", archives.toString()));
        assertEquals(List.of("notes.txt"), names(archives));
    }

    @Test
    void a_new_archive_that_maps_in_a_jvm_of_its_own_is_taken_into_use() throws Exception {
        Path archives = Files.createDirectories(dir.resolve("cds"));
        launch("1");
        Path archive = archiveFor(archives);
        Files.writeString(Path.of(archive + ".new"), "written at the last stop");
        Run r = launch("1", Map.of("CALLIDUS_CLASS_ARCHIVE_DIR", archives.toString(), "FAKE_VERSION_EXIT", "0"));
        assertTrue(Files.readString(dir.resolve("version-check.args")).startsWith("-XX:SharedArchiveFile=" + archive
                + ".new -Xshare:on "), Files.readString(dir.resolve("version-check.args")));
        assertTrue(r.out().contains("args: -XX:SharedArchiveFile=" + archive + " "), r.out());
        assertEquals("written at the last stop", Files.readString(archive));
        assertFalse(Files.exists(Path.of(archive + ".new")));
    }

    @Test
    void a_new_archive_that_does_not_map_is_dropped_and_written_again() throws Exception {
        Path archives = Files.createDirectories(dir.resolve("cds"));
        launch("1");
        Path archive = archiveFor(archives);
        Files.writeString(Path.of(archive + ".new"), "cut short by a power cut");
        Run r = launch("1", Map.of("CALLIDUS_CLASS_ARCHIVE_DIR", archives.toString(), "FAKE_VERSION_EXIT", "1"));
        assertTrue(r.out().contains("does not map"), r.out());
        assertTrue(r.out().contains("-XX:ArchiveClassesAtExit=" + archive + ".new "), r.out());
        assertFalse(Files.exists(archive));
        assertTrue(r.out().contains("\nA\n"), r.out());
    }
}
