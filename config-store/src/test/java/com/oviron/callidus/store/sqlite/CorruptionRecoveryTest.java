package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryRecord;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged database files at start-up: moved aside (never deleted), salvaged, a fresh store, an alarm. */
class CorruptionRecoveryTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private SqliteTelemetryOutbox open(Path file) throws Exception {
        return SqliteTelemetryOutbox.open(file, Durability.FULL, RetentionSettings.defaults(), CLOCK);
    }

    private List<Path> movedAside() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("agent\\.db\\.corrupt-\\d+")).toList();
        }
    }

    @Test
    void a_sound_file_is_left_alone() throws Exception {
        Path file = dir.resolve("agent.db");
        try (SqliteTelemetryOutbox outbox = open(file)) {
            outbox.append(List.of(new NewReading("a", NOW.toEpochMilli(), 1, 0)));
        }
        try (SqliteTelemetryOutbox again = open(file)) {
            assertEquals(1, again.lastSeq());
            assertTrue(again.pendingEvents(10).isEmpty());
        }
        assertTrue(movedAside().isEmpty());
    }

    @Test
    void a_file_that_is_no_database_is_moved_aside_and_a_fresh_store_raises_an_alarm() throws Exception {
        Path file = dir.resolve("agent.db");
        byte[] garbage = new byte[64 * 1024];
        new Random(1).nextBytes(garbage);
        Files.write(file, garbage);
        try (SqliteTelemetryOutbox outbox = open(file)) {
            List<Path> moved = movedAside();
            assertEquals(1, moved.size());
            assertTrue(java.util.Arrays.equals(garbage, Files.readAllBytes(moved.get(0))), "kept as it was");
            List<StoredEvent> alarms = outbox.pendingEvents(10);
            assertEquals(1, alarms.size());
            assertEquals("store.corrupt", alarms.get(0).kind());
            assertEquals("alarm", alarms.get(0).severity());
            assertEquals(NOW.toEpochMilli() * 1000 + 1, alarms.get(0).seq(),
                    "the events stream jumps too: the cloud must not take the alarm for an old event");
            // nothing told how far the old stream went: the new one starts far beyond any number it could have used
            long next = NOW.toEpochMilli() * 1000;
            assertEquals(next, outbox.lastSeq());
            assertEquals(next + 1, outbox.append(List.of(new NewReading("a", NOW.toEpochMilli(), 1, 0))));
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void damaged_pages_lose_only_what_was_on_them() throws Exception {
        Path file = dir.resolve("agent.db");
        List<NewReading> all = new ArrayList<>();
        try (SqliteTelemetryOutbox outbox = open(file)) {
            for (int g = 0; g < 20; g++) {
                List<NewReading> group = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    group.add(new NewReading("ch" + (i % 9), NOW.toEpochMilli() + g * 1_000 + i, g * 1_000 + i, 0));
                }
                outbox.append(group);
                all.addAll(group);
            }
            outbox.acknowledge(2_000);
            outbox.appendEvent(NOW.toEpochMilli(), "config.changed", "audit", "sent");
            outbox.acknowledgeEvents(1);
            outbox.appendEvent(NOW.toEpochMilli(), "hal.device_lost", "alarm", "not sent yet",
                    java.util.Optional.of("{\"code\":\"A010\"}"));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long page = 4096;
            long at = (size / 2 / page) * page;
            byte[] damage = new byte[(int) page * 2];
            new Random(7).nextBytes(damage);
            raf.seek(at);
            raf.write(damage);
        }
        try (SqliteTelemetryOutbox outbox = open(file)) {
            assertEquals(1, movedAside().size());
            assertEquals(20_000, outbox.lastSeq(), "the sequence goes on where it was");
            assertEquals(2_000, outbox.acknowledgedSeq());
            List<TelemetryRecord> salvaged = outbox.readAfter(0, 30_000);
            assertTrue(salvaged.size() > 10_000 && salvaged.size() < 18_000,
                    "most unsent readings salvaged, the damaged pages lost: " + salvaged.size());
            for (TelemetryRecord r : salvaged) {
                NewReading original = all.get((int) r.seq() - 1);
                assertEquals(original.value(), r.value(), "seq " + r.seq() + " keeps its value");
                assertEquals(original.channelId(), r.channelId());
            }
            List<StoredEvent> events = outbox.pendingEvents(10);
            assertEquals(2, events.size(), "the unsent event was salvaged: " + events);
            assertEquals(new StoredEvent(2, NOW.toEpochMilli(), "hal.device_lost", "alarm", "not sent yet",
                    java.util.Optional.of("{\"code\":\"A010\"}")), events.get(0), "with its detail");
            StoredEvent alarm = events.get(1);
            assertEquals(3, alarm.seq(), "the events stream goes on");
            assertTrue(alarm.message().contains(salvaged.size() + " unsent readings were recovered"), alarm.message());
            assertEquals(20_001, outbox.append(List.of(new NewReading("a", NOW.toEpochMilli(), 1, 0))));
            assertEquals("ok", outbox.integrityCheck());
        }
    }
}
