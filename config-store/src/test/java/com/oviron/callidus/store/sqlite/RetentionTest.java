package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.TelemetryRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on real SQLite files: by age, by size, and at the hard ceiling (a genuine SQLITE_FULL). */
class RetentionTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static List<NewReading> group(int count, long firstTs, long stepMillis) {
        List<NewReading> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new NewReading("ch" + (i % 3), firstTs + i * stepMillis, 10 + (i % 7), 0));
        }
        return out;
    }

    @Test
    void readings_older_than_the_maximum_age_become_minute_aggregates() throws Exception {
        Path file = dir.resolve("age.db");
        RetentionSettings settings = new RetentionSettings(64L << 20, Duration.ofDays(30), Duration.ofDays(365));
        long old = NOW.minus(Duration.ofDays(40)).toEpochMilli();
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(file, Durability.NORMAL, settings, CLOCK)) {
            outbox.append(group(600, old, 100)); // one minute of 3 channels, 40 days ago
            outbox.append(group(30, NOW.toEpochMilli() - 5_000, 100));
            outbox.appendEvent(NOW.minus(Duration.ofDays(200)).toEpochMilli(), "old.alarm", "alarm", "still unsent");
            outbox.enforceRetention();
            StoreStats stats = outbox.stats();
            assertEquals(600, stats.droppedReadings());
            assertEquals(1, outbox.pendingEvents(10).size(), "events are never dropped by retention");
            List<TelemetryRecord> left = outbox.readAfter(0, 1_000);
            assertEquals(30, left.size());
            assertEquals(601, left.get(0).seq(), "the recent readings keep their sequence numbers");
            assertEquals(630, outbox.lastSeq());
            assertTrue(stats.aggregateRows() >= 3, stats.toString());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sum(count), min(min), max(max), sum(sum) FROM minute_aggregate")) {
            assertEquals(600, rs.getLong(1));
            assertEquals(10.0, rs.getDouble(2));
            assertEquals(16.0, rs.getDouble(3));
            double expectedSum = 0;
            for (NewReading r : group(600, old, 100)) {
                expectedSum += r.value();
            }
            assertEquals(expectedSum, rs.getDouble(4), 1e-9);
        }
    }

    @Test
    void aggregates_go_too_after_their_own_age() throws Exception {
        RetentionSettings settings = new RetentionSettings(64L << 20, Duration.ofDays(30), Duration.ofDays(60));
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(dir.resolve("agg.db"), Durability.NORMAL,
                settings, CLOCK)) {
            outbox.append(group(10, NOW.minus(Duration.ofDays(90)).toEpochMilli(), 1000));
            outbox.append(group(10, NOW.minus(Duration.ofDays(45)).toEpochMilli(), 1000));
            outbox.enforceRetention();
            StoreStats stats = outbox.stats();
            assertEquals(20, stats.droppedReadings());
            assertTrue(stats.aggregateRows() > 0 && stats.aggregateRows() <= 3, "only the 45-day-old minute: " + stats);
        }
    }

    @Test
    void the_store_never_grows_past_its_size_and_keeps_the_newest_readings() throws Exception {
        Path file = dir.resolve("size.db");
        RetentionSettings settings = new RetentionSettings(1L << 20, Duration.ofDays(30), Duration.ofDays(365));
        long ts = NOW.toEpochMilli() - 3_600_000;
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(file, Durability.NORMAL, settings, CLOCK)) {
            for (int i = 0; i < 300; i++) {
                outbox.append(group(900, ts, 1)); // 270 000 readings, several MB unretained
                ts += 900;
            }
            outbox.enforceRetention();
            StoreStats stats = outbox.stats();
            assertTrue(stats.usedBytes() <= settings.maxBytes(), stats.toString());
            assertTrue(stats.droppedReadings() > 100_000, stats.toString());
            assertEquals(270_000, outbox.lastSeq());
            List<TelemetryRecord> newest = outbox.readAfter(269_000, 10_000);
            assertEquals(1_000, newest.size(), "the newest readings are all there");
            assertEquals(270_000 - stats.droppedReadings(), outbox.pendingCount() - countGap(outbox));
            assertEquals("ok", outbox.integrityCheck());
        }
        long fileBytes = Files.size(file);
        assertTrue(fileBytes <= settings.maxBytes() * 5 / 4 + 8192, "file " + fileBytes);
    }

    /** pendingCount counts sequence numbers; dropped readings leave holes in them. */
    private static long countGap(SqliteTelemetryOutbox outbox) throws Exception {
        return outbox.stats().droppedReadings();
    }

    @Test
    void a_full_store_drops_the_oldest_instead_of_failing() throws Exception {
        Path file = dir.resolve("full.db");
        RetentionSettings settings = new RetentionSettings(1L << 20, Duration.ofDays(30), Duration.ofDays(365));
        long ts = NOW.toEpochMilli() - 3_600_000;
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(file, Durability.NORMAL, settings, CLOCK)) {
            // big groups: the hard ceiling (SQLITE_FULL) is hit before the periodic retention check
            for (int i = 0; i < 31; i++) {
                outbox.append(group(20_000, ts, 1));
                ts += 20_000;
            }
            StoreStats stats = outbox.stats();
            assertTrue(stats.droppedReadings() > 0, "the emergency path dropped readings: " + stats);
            assertEquals(620_000, outbox.lastSeq(), "every group was accepted");
            assertEquals(620_000, outbox.readAfter(619_999, 1).get(0).seq());
            assertEquals("ok", outbox.integrityCheck());
        }
    }
}
