package com.oviron.callidus.agent.update;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlotManagerTest {
    @TempDir
    Path dir;
    Path root;
    PackageFixtures fx;
    SlotManager slots;

    @BeforeEach
    void setUp() throws Exception {
        fx = new PackageFixtures(Files.createDirectories(dir.resolve("pkgs")));
        root = dir.resolve("root");
        slots = SlotManager.initialize(root, "a", Version.parse("1.0.0"), 2);
        Files.writeString(slots.slotFolder("a").resolve("callidus-agent.jar"), "old");
    }

    VerifiedPackage verified(Path pkg) throws Exception {
        return new UpdatePackageVerifier(fx.pinned(), Optional.of(PackageFixtures.HARDWARE), slots::installed,
                () -> true, slots::availableBytes, 100_000_000).verify(pkg);
    }

    @Test
    void initialize_points_current_at_the_factory_slot_and_writes_the_state() throws Exception {
        assertEquals(Optional.of("a"), slots.currentSlot());
        SlotState s = SlotManager.open(root).state();
        assertEquals("a", s.committedSlot());
        assertEquals("1.0.0", s.committedVersion().toString());
        assertEquals(2, s.securityFloor());
        assertTrue(s.trial().isEmpty());
        assertThrows(java.io.IOException.class, () -> SlotManager.initialize(root, "a", Version.parse("1.0.0"), 0));
    }

    @Test
    void install_trial_commit_moves_the_unit_to_the_new_slot_and_raises_the_floor() throws Exception {
        VerifiedPackage pkg = verified(fx.release("1.1.0", 5, "r110"));
        List<String> progress = new ArrayList<>();
        slots.install(pkg, (f, i, n) -> progress.add(f.path() + " " + i + "/" + n), () -> false);
        assertEquals(List.of("callidus-agent.jar 1/2", "doc/notes.txt 2/2"), progress);
        Path b = slots.slotFolder("b");
        assertTrue(Files.readString(b.resolve("callidus-agent.jar")).startsWith("agent jar of 1.1.0"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(b.resolve("doc/notes.txt"))));
        assertEquals(Optional.of("a"), slots.currentSlot(), "install alone switches nothing");
        assertTrue(SlotManager.open(root).state().trial().isEmpty());

        slots.beginTrial(pkg.manifest(), 1000);
        SlotState trial = SlotManager.open(root).state();
        assertEquals("b", trial.trial().orElseThrow().slot());
        assertEquals(0, trial.trial().get().attempts());
        assertEquals("b", trial.activeSlot());
        assertEquals(Optional.of("b"), slots.currentSlot());
        assertEquals(2, trial.securityFloor(), "the floor rises only at commit");

        slots.commit(2000);
        SlotState done = SlotManager.open(root).state();
        assertEquals("b", done.committedSlot());
        assertEquals("1.1.0", done.committedVersion().toString());
        assertEquals(5, done.securityFloor());
        assertTrue(done.trial().isEmpty());
        assertEquals("committed", done.last().orElseThrow().outcome());
        assertFalse(done.last().get().reported());
        assertEquals("a", done.inactiveSlot());
        assertEquals(Optional.of("b"), slots.currentSlot());
    }

    @Test
    void rollback_returns_to_the_committed_slot_and_keeps_the_floor() throws Exception {
        VerifiedPackage pkg = verified(fx.release("1.1.0", 5, "r110"));
        slots.install(pkg, (f, i, n) -> { }, () -> false);
        slots.beginTrial(pkg.manifest(), 1000);
        slots.rollback("health check deadline passed", 3000);
        SlotState s = SlotManager.open(root).state();
        assertEquals("a", s.committedSlot());
        assertEquals("1.0.0", s.committedVersion().toString());
        assertEquals(2, s.securityFloor());
        assertTrue(s.trial().isEmpty());
        assertEquals("rolled-back", s.last().orElseThrow().outcome());
        assertEquals("1.1.0", s.last().get().version().toString());
        assertEquals(Optional.of("a"), slots.currentSlot());
        slots.markReported();
        assertTrue(SlotManager.open(root).state().last().orElseThrow().reported());
    }

    @Test
    void install_empties_the_inactive_slot_without_following_links_out_of_it() throws Exception {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "keep me");
        Path b = slots.slotFolder("b");
        Files.createDirectories(b.resolve("old/deep"));
        Files.writeString(b.resolve("old/deep/stale.bin"), "stale");
        Files.createSymbolicLink(b.resolve("doc"), dir);
        Files.createSymbolicLink(b.resolve("old/link.txt"), outside);
        slots.install(verified(fx.release("1.1.0", 5, "r110")), (f, i, n) -> { }, () -> false);
        assertFalse(Files.exists(b.resolve("old")), "leftovers removed");
        assertFalse(Files.isSymbolicLink(b.resolve("doc")), "the planted link was removed, not written through");
        assertTrue(Files.isRegularFile(b.resolve("doc/notes.txt"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep me", Files.readString(outside));
        assertFalse(Files.exists(dir.resolve("notes.txt")));
    }

    @Test
    void a_package_changed_after_verification_is_not_installed() throws Exception {
        Path pkg = fx.release("1.1.0", 5, "r110");
        VerifiedPackage v = verified(pkg);
        byte[] bytes = Files.readAllBytes(pkg);
        bytes[bytes.length - 3] ^= 1;
        Files.write(pkg, bytes);
        PackageRejectedException e = assertThrows(PackageRejectedException.class,
                () -> slots.install(v, (f, i, n) -> { }, () -> false));
        assertEquals(RejectReason.HASH_MISMATCH, e.reason());
        assertTrue(SlotManager.open(root).state().trial().isEmpty());
        assertThrows(IllegalStateException.class, () -> slots.beginTrial(v.manifest(), 1),
                "a slot whose install failed cannot become the trial");
    }

    @Test
    void a_cancelled_install_stops_between_files_and_switches_nothing() throws Exception {
        VerifiedPackage pkg = verified(fx.release("1.1.0", 5, "r110"));
        AtomicInteger calls = new AtomicInteger();
        assertThrows(InterruptedException.class, () -> slots.install(pkg, (f, i, n) -> { },
                () -> calls.incrementAndGet() > 1));
        assertEquals(Optional.of("a"), slots.currentSlot());
        assertTrue(SlotManager.open(root).state().trial().isEmpty());
    }

    @Test
    void the_current_link_is_never_missing_while_it_is_switched() throws Exception {
        // the property: whoever looks (the launcher, at any moment) finds the link, pointing at a slot. (Reading
        // the jar through it is not the point: the next install in this loop empties the slot just left.)
        Path current = root.resolve("current");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger misses = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try {
                    String target = Files.readSymbolicLink(current).toString().replace('\\', '/');
                    if (!target.endsWith("slots/a") && !target.endsWith("slots/b")) {
                        misses.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    misses.incrementAndGet();
                }
                reads.incrementAndGet();
            }
        });
        reader.start();
        VerifiedPackage pkg = verified(fx.release("1.1.0", 5, "r110"));
        for (int i = 0; i < 50; i++) {
            slots.install(pkg, (f, x, n) -> { }, () -> false);
            Files.writeString(slots.slotFolder("b").resolve("callidus-agent.jar"), "new");
            slots.beginTrial(pkg.manifest(), i);
            slots.rollback("switch test", i);
        }
        stop.set(true);
        reader.join();
        assertEquals(0, misses.get(), "looks that found no link to a slot, out of " + reads.get());
        assertTrue(reads.get() > 0);
    }

    @Test
    void the_state_file_round_trips_and_refuses_damage() throws Exception {
        SlotState s = new SlotState("b", Version.parse("2.3.4"), 7,
                Optional.of(new SlotState.Trial("a", Version.parse("2.4.0"), 8, 123, 1)),
                Optional.of(new SlotState.LastResult("failed", Version.parse("2.3.9"), "bad\nline", 99, false)));
        SlotState back = SlotState.decode(new String(s.encode(), StandardCharsets.UTF_8));
        assertEquals(s.committedSlot(), back.committedSlot());
        assertEquals(s.trial(), back.trial());
        assertEquals("bad line", back.last().orElseThrow().reason());
        assertThrows(IllegalArgumentException.class, () -> SlotState.decode("format=1\ncommitted=c\n"));
        assertThrows(IllegalArgumentException.class, () -> SlotState.decode("garbage"));
        String text = new String(s.encode(), StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> SlotState.decode(text.replace("attempts=1", "attempts=x")));
        assertThrows(IllegalArgumentException.class, () -> SlotState.decode(text.replace("trial=a", "trial=b")));
        Files.writeString(root.resolve(SlotManager.STATE_FILE), "format=1\n");
        assertThrows(java.io.IOException.class, () -> SlotManager.open(root));
    }

    @Test
    void a_byte_identical_reinstall_reads_back_the_same_bytes() throws Exception {
        Path pkg = fx.release("1.1.0", 5, "r110");
        slots.install(verified(pkg), (f, i, n) -> { }, () -> false);
        byte[] first = Files.readAllBytes(slots.slotFolder("b").resolve("callidus-agent.jar"));
        slots.install(verified(pkg), (f, i, n) -> { }, () -> false);
        assertArrayEquals(first, Files.readAllBytes(slots.slotFolder("b").resolve("callidus-agent.jar")));
    }
}
