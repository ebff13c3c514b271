package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.SpaceStatus;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.commands.CommandJournal;
import com.oviron.callidus.store.commands.SqliteCommandJournal;
import com.oviron.callidus.store.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox on a real full disk: an 8 MiB tmpfs mounted by the test (root, as in CI). Appends, retention,
 * acknowledgements, alarms, the WAL and the agent's other state databases, with the store's own growth and
 * with another writer filling the disk.
 */
class FullDiskTest {
    private static final long DISK = 8L * 1024 * 1024;
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;
    private Tmpfs fs;
    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private long ts = clock.millis();

    /** A clock the test moves. */
    static final class SettableClock extends Clock {
        private final AtomicLong millis;

        SettableClock(Instant start) {
            this.millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    @BeforeEach
    void mount() throws Exception {
        fs = Tmpfs.mount(dir.resolve("disk"), DISK);
    }

    @AfterEach
    void unmount() throws Exception {
        fs.close();
    }

    private SqliteTelemetryOutbox open() throws Exception {
        return SqliteTelemetryOutbox.open(fs.path().resolve("agent.db"), Durability.FULL, RetentionSettings.defaults(),
                SqliteTelemetryOutbox.DEFAULT_RESERVE_BYTES, clock);
    }

    /** A sample cycle's worth of readings, 9 channels, 10 ms apart. */
    private List<NewReading> group(int count) {
        List<NewReading> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new NewReading("ch" + (i % 9), ts, 20 + Math.sin(ts / 1000.0), 0));
            if (i % 9 == 8) {
                ts += 10;
            }
        }
        return out;
    }

    /** Appends far more than the disk holds; returns how many were appended. */
    private long overfill(SqliteTelemetryOutbox outbox, int groups) throws Exception {
        long n = 0;
        for (int i = 0; i < groups; i++) {
            outbox.append(group(1000));
            n += 1000;
        }
        return n;
    }

    private static long storedCount(SqliteTelemetryOutbox outbox, long afterSeq) throws Exception {
        long count = 0;
        long expected = afterSeq + 1;
        for (List<TelemetryRecord> page = outbox.readAfter(afterSeq, 10_000); !page.isEmpty();
             page = outbox.readAfter(page.get(page.size() - 1).seq(), 10_000)) {
            for (TelemetryRecord r : page) {
                assertEquals(expected++, r.seq(), "no gap among the stored readings");
                count++;
            }
        }
        return count;
    }

    private static List<StoredEvent> events(SqliteTelemetryOutbox outbox, String kind) throws Exception {
        return outbox.pendingEvents(1000).stream().filter(e -> e.kind().equals(kind)).toList();
    }

    private long walBytes() throws Exception {
        Path wal = fs.path().resolve("agent.db-wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    @Test
    void appends_go_on_past_a_full_disk_and_only_the_oldest_are_dropped_and_counted() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            SpaceStatus start = outbox.space().status();
            assertTrue(start.reserveHeld(), start.toString());
            assertEquals(MIB, start.reserveBytes(), "the reserve is an eighth of an 8 MiB disk: " + start);

            long appended = overfill(outbox, 600); // 600 000 readings: far more than 8 MiB
            assertEquals(appended, outbox.lastSeq(), "every group was accepted");

            StoreStats stats = outbox.stats();
            long dropped = stats.droppedReadings();
            assertTrue(dropped > 0, stats.toString());
            assertTrue(stats.aggregateRows() > 0, "dropped readings were folded into aggregates: " + stats);
            // the oldest went, in order, and exactly as many as counted: the rest is all there
            assertEquals(appended - dropped, storedCount(outbox, dropped), "stored after the dropped ones");
            assertTrue(outbox.readAfter(0, 1).get(0).seq() == dropped + 1);

            SpaceStatus end = outbox.space().status();
            assertTrue(end.limitBytes() < DISK, "the disk limits the store: " + end);
            assertTrue(end.reserveHeld(), "the reserve stayed in place: " + end);
            assertTrue(end.freeBytes() > 0, end.toString());
            assertTrue(end.full(), "the store runs at its disk's limit: " + end);
            assertEquals(1, events(outbox, "store.full").size(), "one alarm, not one per append");
            assertTrue(walBytes() <= 2 * SpaceKeeper.MIN_WAL_ALLOWANCE, "the WAL stays small: " + walBytes());
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void acknowledgements_are_recorded_when_another_writer_filled_the_disk_and_the_alarm_clears_later()
            throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            long appended = overfill(outbox, 400);
            long other = fs.fill("other-writer.bin", 0);
            assertTrue(other > 0 && fs.freeBytes() == 0, "the disk is full: " + fs.freeBytes());

            for (long seq = outbox.acknowledgedSeq() + 1000; seq <= appended; seq += 1000) {
                outbox.acknowledge(Math.max(seq, outbox.acknowledgedSeq()));
            }
            outbox.acknowledge(appended);
            assertEquals(appended, outbox.acknowledgedSeq(), "every acknowledgement was recorded");
            assertEquals(0, outbox.readAfter(appended - 1, 10).size(), "acknowledged readings are removed");
            assertTrue(outbox.space().status().full(), outbox.space().status().toString());

            // the other writer is gone: once the alarm had its minute, it clears and the reserve is back
            Files.delete(fs.path().resolve("other-writer.bin"));
            clock.advance(Duration.ofMinutes(2));
            outbox.append(group(9));
            SpaceStatus s = outbox.space().status();
            assertFalse(s.full(), s.toString());
            assertTrue(s.reserveHeld(), s.toString());
            assertEquals(1, events(outbox, "store.full_cleared").size());
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void the_reserve_lets_appends_events_and_state_databases_through_a_disk_another_writer_filled()
            throws Exception {
        try (SqliteTelemetryOutbox outbox = open();
             CommandJournal journal = SqliteCommandJournal.open(fs.path().resolve("commands.db"), clock,
                     outbox.space())) {
            long appended = overfill(outbox, 100);
            fs.fill("other-writer-1.bin", 0);
            assertEquals(0, fs.freeBytes());

            outbox.append(group(1000));
            appended += 1000;
            long seq = outbox.appendEvent(clock.millis(), "test.alarm", "alarm", "an alarm on a full disk");
            assertTrue(seq > 0);
            assertEquals(appended, outbox.lastSeq(), "accepted on a full disk");
            assertTrue(outbox.space().status().full());

            // and again, now for a state database: the store releases its reserve (or drops readings) for it
            fs.fill("other-writer-2.bin", 0);
            assertEquals(0, fs.freeBytes());
            for (int i = 0; i < 50; i++) {
                assertTrue(journal.begin("cmd-" + i, "status.get", clock.millis() + 60_000, clock.millis()).isEmpty());
                journal.complete("cmd-" + i, ("reply " + i).getBytes());
            }
            assertTrue(journal.begin("cmd-49", "status.get", clock.millis() + 60_000, clock.millis()).isPresent(),
                    "the journal kept its entries");

            long dropped = outbox.stats().droppedReadings();
            assertEquals(appended - dropped, storedCount(outbox, dropped), "only the oldest were dropped");
            assertEquals(1, events(outbox, "test.alarm").size(), "events are never dropped");
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void when_another_writer_takes_the_disk_the_history_goes_before_the_readings_of_the_last_minutes()
            throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            // almost three days of per-minute history: readings sent and acknowledged, one row per channel-minute
            long start = clock.millis() - Duration.ofDays(3).toMillis();
            for (int g = 0; g < 36; g++) {
                List<NewReading> old = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    int n = g * 1000 + i;
                    old.add(new NewReading("ch" + (n % 9), start + (n / 9) * 60_000L, n, 0));
                }
                outbox.append(old);
            }
            outbox.acknowledge(outbox.lastSeq());
            long historyRows = outbox.stats().aggregateRows();
            assertTrue(historyRows >= 36_000, "history: " + historyRows);
            long firstUnsent = outbox.lastSeq() + 1;
            // and the readings of the last minutes (a little over the floor), unsent
            long appended = overfill(outbox,
                    (int) (SpaceKeeper.MIN_FLOOR_BYTES * 21 / 20 / Retention.READING_BYTES / 1000));

            fs.fill("other-writer.bin", 0);
            overfill(outbox, 5);
            appended += 5000;

            StoreStats stats = outbox.stats();
            assertTrue(stats.aggregateRows() < historyRows, "the oldest history made room: " + stats);
            long dropped = stats.droppedReadings();
            long stored = storedCount(outbox, firstUnsent - 1 + dropped);
            assertEquals(appended - dropped, stored, "only the oldest readings went");
            assertTrue(stored * Retention.READING_BYTES >= SpaceKeeper.MIN_FLOOR_BYTES * 9 / 10,
                    "the readings of the last minutes stayed: " + stored);
            assertTrue(outbox.space().status().full());
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void a_writer_that_takes_every_byte_the_store_frees_and_its_reserve_does_not_stop_it() throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            long appended = overfill(outbox, 100);
            for (int i = 0; i < 60; i++) {
                fs.fill("greedy-writer.bin", 0); // takes the headroom, the reserve, whatever the store gave back
                assertEquals(0, fs.freeBytes());
                outbox.append(group(1000));
                appended += 1000;
                if (i % 10 == 9) {
                    long dropped = outbox.stats().droppedReadings();
                    outbox.acknowledge(Math.max(outbox.acknowledgedSeq(), dropped) + 500);
                    outbox.appendEvent(clock.millis(), "test.alarm", "alarm", "round " + i);
                }
            }
            assertEquals(appended, outbox.lastSeq(), "every group accepted on a disk with no byte free");
            assertFalse(outbox.space().status().reserveHeld(), "the other writer has the reserve too");
            assertEquals(6, events(outbox, "test.alarm").size());
            long dropped = outbox.stats().droppedReadings();
            long acked = outbox.acknowledgedSeq();
            assertTrue(acked > dropped, "acknowledgements recorded: " + acked);
            assertEquals(appended - acked, storedCount(outbox, acked), "only the oldest went");
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void when_the_other_writer_gives_the_disk_back_appends_go_through_without_dropping_even_with_nothing_to_drop()
            throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            overfill(outbox, 30);
            fs.fill("greedy-writer.bin", 0);
            outbox.append(group(1000)); // through the reserve
            assertFalse(outbox.space().status().reserveHeld(), outbox.space().status().toString());
            // the readings are acknowledged in steps, nothing is left to drop; the pages they freed go back to the
            // disk, and the other writer takes them each time
            for (long seq = outbox.acknowledgedSeq() + 1000; seq < outbox.lastSeq(); seq += 1000) {
                outbox.acknowledge(seq);
                fs.fill("greedy-writer.bin", 0);
            }
            outbox.acknowledge(outbox.lastSeq());
            fs.fill("greedy-writer.bin", 0);
            assertFalse(outbox.space().status().reserveHeld(), outbox.space().status().toString());

            Files.delete(fs.path().resolve("greedy-writer.bin"));
            long dropped = outbox.stats().droppedReadings();
            for (int i = 0; i < 20; i++) {
                long last = outbox.lastSeq();
                assertEquals(last + 1000, outbox.append(group(1000)), "accepted on a disk with room again");
            }
            assertEquals(dropped, outbox.stats().droppedReadings(), "no reading dropped while the disk has room");
            assertTrue(outbox.space().status().reserveHeld(), outbox.space().status().toString());
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void the_store_opens_and_writes_on_a_disk_that_another_writer_filled_to_the_last_byte_meanwhile()
            throws Exception {
        long appended;
        try (SqliteTelemetryOutbox outbox = open()) {
            appended = overfill(outbox, 200);
        }
        fs.fill("other-writer.bin", 0);
        assertEquals(0, fs.freeBytes());
        try (SqliteTelemetryOutbox outbox = open()) {
            outbox.append(group(1000));
            assertEquals(appended + 1000, outbox.lastSeq());
            long dropped = outbox.stats().droppedReadings();
            assertTrue(dropped > 0, "readings made room");
            outbox.acknowledge(dropped + 500);
            assertEquals(dropped + 500, outbox.acknowledgedSeq());
            assertEquals(appended + 1000 - dropped - 500, storedCount(outbox, dropped + 500));
            assertTrue(outbox.space().status().full());
            assertEquals("ok", outbox.integrityCheck());
        }
    }

    @Test
    void without_a_reserve_a_disk_full_to_the_last_byte_is_named_as_the_reason_the_store_cannot_open()
            throws Exception {
        try (SqliteTelemetryOutbox outbox = open()) {
            overfill(outbox, 50);
        }
        Files.delete(SpaceKeeper.reserveFileOf(fs.path().resolve("agent.db")));
        fs.fill("other-writer.bin", 0);
        StoreException e = assertThrows(StoreException.class, this::open);
        assertTrue(e.getMessage().contains("the disk is full") && e.getMessage().contains("free some space in "
                + fs.path()), e.getMessage());
        assertTrue(Files.exists(fs.path().resolve("agent.db")), "a full disk is not damage: the file stays");
    }
}
