package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.PeriodSummary;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryRecord;
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

/** What storing readings in blocks changes and must not change: blocks acknowledged in part, damage, upgrade. */
class ReadingBlockStorageTest {
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final long T0 = NOW.toEpochMilli() - 600_000;

    @TempDir
    Path dir;

    private static List<NewReading> group(int count, long firstTs) {
        List<NewReading> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new NewReading("ch" + (i % 3), firstTs + i * 100L, i, 0));
        }
        return out;
    }

    private SqliteTelemetryOutbox open(Path file) throws Exception {
        return SqliteTelemetryOutbox.open(file, Durability.FULL, RetentionSettings.defaults(), CLOCK);
    }

    private static List<Long> seqs(List<TelemetryRecord> records) {
        return records.stream().map(TelemetryRecord::seq).toList();
    }

    private static long count(Path file, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.getLong(1);
        }
    }

    @Test
    void an_append_larger_than_a_block_is_several_blocks_read_back_as_one_stream() throws Exception {
        Path file = dir.resolve("agent.db");
        try (SqliteTelemetryOutbox outbox = open(file)) {
            assertEquals(2500, outbox.append(group(2500, T0)));
            assertEquals(3, count(file, "SELECT count(*) FROM reading_block"), "1024 + 1024 + 452");
            List<TelemetryRecord> page = outbox.readAfter(1000, 700);
            assertEquals(700, page.size());
            for (int i = 0; i < page.size(); i++) {
                TelemetryRecord r = page.get(i);
                assertEquals(1001 + i, r.seq(), "no gap across the block boundary");
                assertEquals(T0 + (r.seq() - 1) * 100, r.timestampMillis());
                assertEquals("ch" + ((r.seq() - 1) % 3), r.channelId());
            }
            assertEquals(List.of(2500L), seqs(outbox.readAfter(2499, 10)));
            assertTrue(outbox.readAfter(2500, 10).isEmpty());
        }
    }

    @Test
    void a_block_acknowledged_in_part_gives_out_only_the_rest_also_after_a_restart() throws Exception {
        Path file = dir.resolve("agent.db");
        try (SqliteTelemetryOutbox outbox = open(file)) {
            outbox.append(group(10, T0));
            outbox.acknowledge(4);
            assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), seqs(outbox.readAfter(0, 100)));
            assertEquals(1, count(file, "SELECT count(*) FROM reading_block"), "the block stays until all is sent");
        }
        try (SqliteTelemetryOutbox outbox = open(file)) {
            assertEquals(4, outbox.acknowledgedSeq());
            assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), seqs(outbox.readAfter(2, 100)));
            outbox.acknowledge(10);
            assertTrue(outbox.readAfter(0, 100).isEmpty());
            assertEquals(0, count(file, "SELECT count(*) FROM reading_block"));
        }
    }

    @Test
    void an_acknowledgement_does_not_wait_for_the_disk_but_every_append_still_does() throws Exception {
        try (SqliteTelemetryOutbox outbox = open(dir.resolve("agent.db"))) {
            assertEquals(2, outbox.synchronousSetting(), "FULL");
            outbox.append(group(10, T0));
            outbox.acknowledge(10);
            assertEquals(2, outbox.synchronousSetting(), "FULL again after the acknowledgement");
            outbox.append(group(10, T0));
            assertThrows(IllegalArgumentException.class, () -> outbox.acknowledge(99));
            assertEquals(2, outbox.synchronousSetting(), "and after a refused one");
        }
        try (SqliteTelemetryOutbox normal = SqliteTelemetryOutbox.open(dir.resolve("normal.db"), Durability.NORMAL,
                RetentionSettings.defaults(), CLOCK)) {
            normal.append(group(10, T0));
            normal.acknowledge(10);
            assertEquals(1, normal.synchronousSetting(), "NORMAL stays NORMAL");
        }
    }

    @Test
    void a_period_report_counts_each_reading_once_before_during_and_after_its_acknowledgement() throws Exception {
        Path file = dir.resolve("agent.db");
        try (SqliteTelemetryOutbox outbox = open(file)) {
            outbox.append(group(1200, T0)); // two minutes of three channels, two blocks
            List<PeriodSummary> before = outbox.summarize(T0 - 60_000, T0 + 600_000, 60_000);
            outbox.acknowledge(600); // the first block in part
            List<PeriodSummary> during = outbox.summarize(T0 - 60_000, T0 + 600_000, 60_000);
            outbox.acknowledge(1200);
            List<PeriodSummary> after = outbox.summarize(T0 - 60_000, T0 + 600_000, 60_000);
            assertEquals(1200, before.stream().mapToLong(PeriodSummary::count).sum());
            assertEquals(before, during);
            assertEquals(before.size(), after.size());
            for (int i = 0; i < before.size(); i++) {
                PeriodSummary b = before.get(i);
                PeriodSummary a = after.get(i);
                assertEquals(b.channelId(), a.channelId());
                assertEquals(b.bucketStartMillis(), a.bucketStartMillis());
                assertEquals(b.count(), a.count());
                assertEquals(b.min(), a.min());
                assertEquals(b.max(), a.max());
                assertEquals(b.mean(), a.mean(), 1e-9);
            }
        }
    }

    @Test
    void retention_counts_as_dropped_only_the_unsent_part_of_a_block() throws Exception {
        Path file = dir.resolve("agent.db");
        RetentionSettings settings = new RetentionSettings(64L << 20, Duration.ofDays(30), Duration.ofDays(365));
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(file, Durability.FULL, settings, CLOCK)) {
            outbox.append(group(10, NOW.minus(Duration.ofDays(40)).toEpochMilli()));
            outbox.acknowledge(4);
            outbox.append(group(5, NOW.toEpochMilli() - 1_000));
            outbox.enforceRetention();
            assertEquals(6, outbox.stats().droppedReadings(), "4 of the 10 were sent");
            assertEquals(List.of(11L, 12L, 13L, 14L, 15L), seqs(outbox.readAfter(0, 100)));
        }
    }

    @Test
    void a_block_that_does_not_decode_is_set_aside_with_an_alarm_and_the_stream_goes_on() throws Exception {
        Path file = dir.resolve("agent.db");
        try (SqliteTelemetryOutbox outbox = open(file)) {
            outbox.append(group(5, T0));
            outbox.append(group(5, T0 + 1_000));
            outbox.append(group(5, T0 + 2_000));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                st.executeUpdate("UPDATE reading_block SET data = x'0105ff' WHERE first_seq = 6");
            }
            List<TelemetryRecord> read = outbox.readAfter(0, 100);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 11L, 12L, 13L, 14L, 15L), seqs(read));
            assertEquals(1, outbox.deadLetterCount());
            List<StoredEvent> alarms = outbox.pendingEvents(10).stream()
                    .filter(e -> e.kind().equals("store.corrupt")).toList();
            assertEquals(1, alarms.size());
            assertTrue(alarms.get(0).message().contains("readings 6..10"), alarms.get(0).message());
            assertEquals(1, count(file, "SELECT count(*) FROM dead_letter WHERE first_seq = 6 AND last_seq = 10"
                    + " AND payload = x'0105ff' AND reason LIKE '%from seq 6 is damaged%'"));
            assertEquals(seqs(read), seqs(outbox.readAfter(0, 100)), "set aside once");
            outbox.acknowledge(15);
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void a_store_with_one_row_per_reading_is_moved_into_blocks_keeping_every_reading_gap_and_number()
            throws Exception {
        Path file = dir.resolve("v5.db");
        writeSchema5Store(file);
        assertEverySchema5ReadingIsThere(file);
    }

    @Test
    void a_move_into_blocks_cut_short_by_a_power_cut_goes_on_at_the_next_open() throws Exception {
        Path file = dir.resolve("v5.db");
        writeSchema5Store(file);
        // what a power cut after the migration and the first step leaves: schema 6, a block, the rest in rows
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            SchemaMigrations.migrate(c, file.toString());
            c.setAutoCommit(false);
            List<NewReading> first = new ArrayList<>();
            long[] seqs = new long[100];
            int[] ids = new int[100];
            try (ResultSet rs = st.executeQuery("SELECT seq, channel_id, ts, value, quality FROM reading ORDER BY seq"
                    + " LIMIT 100")) {
                while (rs.next()) {
                    seqs[first.size()] = rs.getLong(1);
                    ids[first.size()] = rs.getInt(2);
                    double v = rs.getDouble(4);
                    v = rs.wasNull() ? Double.NaN : v;
                    first.add(new NewReading(rs.getInt(2) == 1 ? "a" : "b", rs.getLong(3), v, rs.getInt(5)));
                }
            }
            try (var insert = c.prepareStatement(ReadingBlocks.INSERT)) {
                ReadingBlocks.insertNumbered(insert, seqs, first, ids);
            }
            st.executeUpdate("DELETE FROM reading WHERE seq <= " + seqs[99]);
            c.commit();
        }
        assertEquals(1, count(file, "SELECT count(*) FROM reading_block"));
        assertEverySchema5ReadingIsThere(file);
    }

    /** A store as schema 5 left it: readings 501..10 000 unsent but 3000..3099, every tenth without a value. */
    private static void writeSchema5Store(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            for (SchemaMigrations.Migration m : SchemaMigrations.ALL.subList(0, 5)) {
                for (String sql : m.statements()) {
                    st.execute(sql);
                }
            }
            st.execute("PRAGMA user_version = 5");
            st.execute("INSERT INTO channel(id, name) VALUES (1, 'a'), (2, 'b')");
            c.setAutoCommit(false);
            for (int i = 1; i <= 10_000; i++) {
                st.execute("INSERT INTO reading(channel_id, ts, value, quality) VALUES (" + (1 + i % 2) + ", "
                        + (T0 + i) + ", " + (i % 10 == 0 ? "NULL" : String.valueOf(i * 0.25)) + ", " + (i % 5) + ")");
            }
            st.execute("DELETE FROM reading WHERE seq BETWEEN 3000 AND 3099"); // dropped by the age rule
            st.execute("UPDATE stream_cursor SET acknowledged_seq = 500 WHERE stream = 'telemetry'");
            st.execute("DELETE FROM reading WHERE seq <= 500");
            c.commit();
        }
    }

    private void assertEverySchema5ReadingIsThere(Path file) throws Exception {
        try (SqliteTelemetryOutbox outbox = open(file)) {
            assertEquals(10_000, outbox.lastSeq());
            assertEquals(500, outbox.acknowledgedSeq());
            List<TelemetryRecord> all = new ArrayList<>();
            for (List<TelemetryRecord> page = outbox.readAfter(0, 3_000); !page.isEmpty();
                 page = outbox.readAfter(page.get(page.size() - 1).seq(), 3_000)) {
                all.addAll(page);
            }
            assertEquals(10_000 - 500 - 100, all.size());
            long expected = 501;
            for (TelemetryRecord r : all) {
                if (expected == 3000) {
                    expected = 3100;
                }
                assertEquals(expected, r.seq());
                assertEquals(expected % 2 == 0 ? "a" : "b", r.channelId());
                assertEquals(T0 + expected, r.timestampMillis());
                if (expected % 10 == 0) {
                    assertTrue(Double.isNaN(r.value()));
                } else {
                    assertEquals(expected * 0.25, r.value());
                }
                assertEquals(expected % 5, r.qualityCode());
                expected++;
            }
            assertEquals(10_001, outbox.append(group(1, T0)), "the sequence goes on, never reused");
            assertEquals("ok", outbox.integrityCheck());
        }
        assertEquals(0, count(file, "SELECT count(*) FROM sqlite_master WHERE name = 'reading'"), "the old table went");
        assertFalse(count(file, "SELECT count(*) FROM reading_block") < 9, "blocks of at most 1024, split at the gap");
    }
}
