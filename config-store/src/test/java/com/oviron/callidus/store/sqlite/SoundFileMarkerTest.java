package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.StoredEvent;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check at open is skipped only for a file the store itself closed cleanly after it had passed a check, and
 * then runs after start: a crash, a changed file or damage the note cannot see all end in a check and, for
 * damage, the salvage at the next start.
 */
class SoundFileMarkerTest {
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("agent.db");
    }

    private SqliteTelemetryOutbox open() throws Exception {
        return SqliteTelemetryOutbox.open(file(), Durability.FULL, RetentionSettings.defaults(),
                SqliteTelemetryOutbox.DEFAULT_RESERVE_BYTES, CLOCK, Duration.ofMillis(20));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    private void fill(SqliteTelemetryOutbox outbox) throws Exception {
        for (int g = 0; g < 20; g++) {
            List<NewReading> group = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                group.add(new NewReading("ch" + (i % 9), NOW.toEpochMilli() + g * 1_000 + i, g * 1_000 + i, 0));
            }
            outbox.append(group);
        }
    }

    private List<Path> movedAside() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("agent\\.db\\.corrupt-\\d+")).toList();
        }
    }

    @Test
    void a_clean_close_lets_the_next_open_check_after_start_and_the_check_passes() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            assertEquals(Optional.empty(), outbox.deferredCheckState(), "a new file: checked at open");
            fill(outbox);
        }
        assertTrue(Files.exists(SoundFileMarker.of(file())), "the clean close left its note");
        try (SqliteTelemetryOutbox again = open()) {
            assertFalse(Files.exists(SoundFileMarker.of(file())), "taken away at open, before any write");
            assertTrue(again.deferredCheckState().isPresent(), "check skipped at open");
            await("the check after start passes",
                    () -> again.deferredCheckState().get() == DeferredCheck.State.PASSED);
            again.append(List.of(new NewReading("a", NOW.toEpochMilli(), 1, 0)));
            assertEquals(20_001, again.lastSeq());
        }
        assertTrue(Files.exists(SoundFileMarker.of(file())), "passed after start: the note again");
    }

    @Test
    void a_run_that_does_not_close_leaves_no_note_and_the_next_open_checks() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            fill(outbox);
        }
        SqliteTelemetryOutbox crashed = open(); // as if the power went: never closed
        try {
            crashed.append(List.of(new NewReading("a", NOW.toEpochMilli(), 1, 0)));
            assertFalse(Files.exists(SoundFileMarker.of(file())));
        } finally {
            crashed.close();
            Files.deleteIfExists(SoundFileMarker.of(file())); // the close the power cut would not have made
        }
        try (SqliteTelemetryOutbox next = open()) {
            assertEquals(Optional.empty(), next.deferredCheckState(), "no note: checked at open");
        }
    }

    @Test
    void a_file_changed_after_the_close_is_checked_at_open() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            fill(outbox);
        }
        Path note = SoundFileMarker.of(file());
        assertTrue(Files.exists(note));
        Files.setLastModifiedTime(file(), FileTime.from(NOW)); // e.g. restored from a copy
        try (SqliteTelemetryOutbox again = open()) {
            assertEquals(Optional.empty(), again.deferredCheckState(), "the note no longer matches");
            assertFalse(Files.exists(note));
        }
    }

    @Test
    void a_note_that_is_a_link_is_removed_and_not_trusted() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            fill(outbox);
        }
        Path note = SoundFileMarker.of(file());
        Path elsewhere = dir.resolve("elsewhere.txt");
        Files.move(note, elsewhere);
        Files.createSymbolicLink(note, elsewhere);
        try (SqliteTelemetryOutbox again = open()) {
            assertEquals(Optional.empty(), again.deferredCheckState());
            assertTrue(Files.exists(elsewhere), "the link's target is left alone");
        }
    }

    @Test
    void damage_the_note_cannot_see_is_found_after_start_raised_and_salvaged_at_the_next_start() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            fill(outbox);
        }
        // damage in place that keeps size and modification time (what a failing flash cell does)
        FileTime mtime = Files.getLastModifiedTime(file());
        long size = Files.size(file());
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
            long page = 4096;
            byte[] damage = new byte[(int) page * 2];
            new Random(7).nextBytes(damage);
            raf.seek((size / 2 / page) * page);
            raf.write(damage);
        }
        Files.setLastModifiedTime(file(), mtime);
        try (SqliteTelemetryOutbox damaged = open()) {
            assertTrue(damaged.deferredCheckState().isPresent(), "the note matched: check skipped at open");
            await("the check after start finds the damage",
                    () -> damaged.deferredCheckState().get() == DeferredCheck.State.DAMAGED);
            List<StoredEvent> alarms = damaged.pendingEvents(10);
            assertEquals(1, alarms.size(), alarms.toString());
            assertEquals("store.corrupt", alarms.get(0).kind());
            assertTrue(alarms.get(0).message().contains("failed its check after start"), alarms.get(0).message());
        }
        assertFalse(Files.exists(SoundFileMarker.of(file())), "damage found: no note");
        try (SqliteTelemetryOutbox next = open()) {
            assertEquals(1, movedAside().size(), "the next start moved the damaged file aside");
            assertEquals(20_000, next.lastSeq(), "and the stream goes on where it was");
            assertEquals("ok", next.integrityCheck());
        }
    }

    @Test
    void closing_while_the_check_waits_stops_it_and_leaves_no_note() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            fill(outbox);
        }
        SqliteTelemetryOutbox slow = SqliteTelemetryOutbox.open(file(), Durability.FULL,
                RetentionSettings.defaults(), SqliteTelemetryOutbox.DEFAULT_RESERVE_BYTES, CLOCK,
                Duration.ofHours(1));
        assertEquals(Optional.of(DeferredCheck.State.WAITING), slow.deferredCheckState());
        slow.close();
        assertEquals(Optional.of(DeferredCheck.State.NOT_RUN), slow.deferredCheckState());
        assertFalse(Files.exists(SoundFileMarker.of(file())), "not checked this run: the next open checks");
    }
}
