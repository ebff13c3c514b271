package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * {@code callidus-launch --install-release}, which the Debian package's postinst runs: the packaged release
 * goes into a slot, and never over a newer release that a remote update installed (docs/operations.md,
 * "Upgrade"). Also the factory install without {@code current}.
 */
class CallidusInstallReleaseTest {
    @TempDir
    Path dir;
    Path root;
    Path release;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        release = Files.createDirectories(dir.resolve("release"));
    }

    record Run(int exit, String out) {
    }

    Run script(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("sh",
                CallidusLaunchTest.SCRIPT.toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("CALLIDUS_ROOT", root.toString());
        Path fakeJava = dir.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\necho \"started: $2\"; cat \"$2\"; echo\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        pb.environment().put("CALLIDUS_JAVA", fakeJava.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    Run installRelease(String version, String jarContent) throws Exception {
        Files.writeString(release.resolve("VERSION"), version + "\n");
        Files.writeString(release.resolve("callidus-agent.jar"), jarContent);
        return script("--install-release", release.toString());
    }

    String jar(String slot) throws Exception {
        return Files.readString(root.resolve("slots").resolve(slot).resolve("callidus-agent.jar"));
    }

    Optional<String> current() throws Exception {
        Path link = root.resolve("current");
        return Files.isSymbolicLink(link) ? Optional.of(Files.readSymbolicLink(link).toString()) : Optional.empty();
    }

    String state() throws Exception {
        return Files.readString(root.resolve(SlotManager.STATE_FILE));
    }

    /** The root as a committed remote update leaves it: slot b holds {@code version}. */
    void updatedTo(String version) throws Exception {
        SlotManager.initialize(root, "b", Version.parse(version), 7);
        Files.writeString(root.resolve("slots/b/callidus-agent.jar"), "UPDATE " + version);
    }

    @Test
    void a_first_install_puts_the_release_into_slot_a_and_points_current_at_it() throws Exception {
        Run r = installRelease("1.4.0", "R140");
        assertEquals(0, r.exit(), r.out());
        assertEquals("R140", jar("a"));
        assertTrue(Files.isDirectory(root.resolve("slots/b")));
        assertEquals(Optional.of("slots/a"), current());
        assertFalse(Files.exists(root.resolve(SlotManager.STATE_FILE)), "the agent writes the state at its first start");
        assertTrue(r.out().contains("installed release 1.4.0 into slot a"), r.out());
        try (var files = Files.list(root.resolve("slots/a"))) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void a_development_package_installs_where_no_update_state_exists() throws Exception {
        Run r = installRelease("0.1.0-SNAPSHOT", "DEV");
        assertEquals(0, r.exit(), r.out());
        assertEquals("DEV", jar("a"));
        assertEquals(Optional.of("slots/a"), current());
    }

    @Test
    void without_an_update_state_the_release_replaces_the_slot_current_points_at() throws Exception {
        installRelease("1.4.0", "R140");
        Files.delete(root.resolve("current"));
        Files.createSymbolicLink(root.resolve("current"), Path.of("slots", "b"));
        Run r = installRelease("1.5.0", "R150");
        assertEquals(0, r.exit(), r.out());
        assertEquals("R150", jar("b"));
        assertEquals("R140", jar("a"));
        assertEquals(Optional.of("slots/b"), current());
    }

    @Test
    void an_older_package_never_replaces_a_newer_release_a_remote_update_installed() throws Exception {
        updatedTo("2.0.0");
        String before = state();
        Run r = installRelease("1.9.0", "R190");
        assertEquals(0, r.exit(), r.out());
        assertEquals("UPDATE 2.0.0", jar("b"));
        assertFalse(Files.exists(root.resolve("slots/a/callidus-agent.jar")), "the other slot is not touched either");
        assertEquals(before, state());
        assertEquals(Optional.of("slots/b"), current());
        assertTrue(r.out().contains("holds release 2.0.0, newer than the package's 1.9.0"), r.out());
    }

    @Test
    void versions_are_compared_by_number_not_by_text() throws Exception {
        updatedTo("1.9.0");
        Run r = installRelease("1.10.0", "R1100");
        assertEquals(0, r.exit(), r.out());
        assertEquals("R1100", jar("b"));
    }

    @Test
    void a_newer_package_replaces_the_committed_release_and_keeps_the_security_version() throws Exception {
        updatedTo("2.0.0");
        Run r = installRelease("2.1.0", "R210");
        assertEquals(0, r.exit(), r.out());
        assertEquals("R210", jar("b"));
        SlotState s = SlotManager.open(root).state();
        assertEquals("b", s.committedSlot());
        assertEquals("2.1.0", s.committedVersion().toString());
        assertEquals(7, s.securityFloor(), "a package never lowers (or raises) the security high-water mark");
        assertEquals(Optional.of("slots/b"), current());
        assertTrue(r.out().contains("installed release 2.1.0 into slot b (was 2.0.0)"), r.out());
    }

    @Test
    void the_same_release_is_written_again_only_when_the_slot_holds_other_bytes() throws Exception {
        updatedTo("2.0.0");
        Run same = installRelease("2.0.0", "UPDATE 2.0.0");
        assertTrue(same.out().contains("already holds release 2.0.0"), same.out());
        Run repaired = installRelease("2.0.0", "REPAIRED");
        assertEquals(0, repaired.exit(), repaired.out());
        assertEquals("REPAIRED", jar("b"));
    }

    @Test
    void a_pending_trial_is_left_alone() throws Exception {
        updatedTo("2.0.0");
        String state = state().replace("trial=\n", "trial=a\n").replace("trialVersion=\n", "trialVersion=2.1.0\n")
                .replace("trialSecurityVersion=\n", "trialSecurityVersion=7\n")
                .replace("trialSince=\n", "trialSince=1\n");
        Files.writeString(root.resolve(SlotManager.STATE_FILE), state);
        Run r = installRelease("3.0.0", "R300");
        assertEquals(0, r.exit(), r.out());
        assertEquals("UPDATE 2.0.0", jar("b"));
        assertEquals(state, state());
        assertTrue(r.out().contains("on trial in slot a"), r.out());
    }

    @Test
    void a_development_package_leaves_slots_that_an_update_set_up() throws Exception {
        updatedTo("2.0.0");
        Run r = installRelease("2.1.0-SNAPSHOT", "DEV");
        assertEquals(0, r.exit(), r.out());
        assertEquals("UPDATE 2.0.0", jar("b"));
        assertTrue(r.out().contains("development package 2.1.0-SNAPSHOT"), r.out());
    }

    @Test
    void a_release_folder_without_a_jar_fails() throws Exception {
        Files.writeString(release.resolve("VERSION"), "1.0.0\n");
        Run r = script("--install-release", release.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("callidus-agent.jar and VERSION are needed"), r.out());
    }

    @Test
    void a_factory_install_without_current_starts_the_jar_in_slot_a() throws Exception {
        Files.createDirectories(root.resolve("slots/a"));
        Files.writeString(root.resolve("slots/a/callidus-agent.jar"), "FACTORY");
        Run r = script("--config", "/etc/callidus/agent.json");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("\nFACTORY\n"), r.out());
        assertEquals(Optional.of("slots/a"), current());
    }

    @Test
    void with_no_agent_jar_anywhere_it_says_what_is_missing_and_exits_70() throws Exception {
        Run r = script("--config", "/etc/callidus/agent.json");
        assertEquals(70, r.exit(), r.out());
        assertTrue(r.out().contains("slots/a/callidus-agent.jar is missing"), r.out());
    }
}
