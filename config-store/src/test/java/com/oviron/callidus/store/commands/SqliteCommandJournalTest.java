package com.oviron.callidus.store.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteCommandJournalTest {
    private static final long DAY = 24L * 3600 * 1000;

    @TempDir
    Path dir;

    @Test
    void remembers_commands_and_their_replies_across_a_reopen() throws Exception {
        Path file = dir.resolve("commands.db");
        try (SqliteCommandJournal j = SqliteCommandJournal.open(file, Clock.systemUTC())) {
            assertEquals(Optional.empty(), j.begin("c1", "status.get", 5000, 1000));
            j.complete("c1", "reply-1".getBytes(StandardCharsets.UTF_8));
            assertEquals(Optional.empty(), j.begin("c2", "settings.put", 5000, 1001));
        }
        try (SqliteCommandJournal j = SqliteCommandJournal.open(file, Clock.systemUTC())) {
            CommandJournal.Entry c1 = j.begin("c1", "status.get", 5000, 2000).orElseThrow();
            assertEquals("status.get", c1.name());
            assertEquals(1000, c1.receivedAtMillis());
            assertArrayEquals("reply-1".getBytes(StandardCharsets.UTF_8), c1.reply().orElseThrow());
            CommandJournal.Entry c2 = j.begin("c2", "settings.put", 5000, 2000).orElseThrow();
            assertTrue(c2.reply().isEmpty(), "begun but never completed: interrupted");
            assertEquals(2, j.size());
        }
    }

    @Test
    void prunes_a_day_after_expiry_and_keeps_at_most_the_newest_entries() throws Exception {
        try (SqliteCommandJournal j = SqliteCommandJournal.open(dir.resolve("c.db"), Clock.systemUTC())) {
            j.begin("old", "status.get", 1000, 500);
            j.begin("new", "status.get", 10 * DAY, 600);
            assertEquals(0, j.prune(1000 + DAY));
            assertEquals(1, j.prune(1001 + DAY));
            assertEquals(1, j.size());
            for (int i = 0; i < CommandJournal.MAX_ENTRIES + 5; i++) {
                j.begin("n" + i, "status.get", 10 * DAY, 1000 + i);
            }
            assertEquals(6, j.prune(2000 + DAY));
            assertEquals(CommandJournal.MAX_ENTRIES, j.size());
            assertTrue(j.begin("n" + (CommandJournal.MAX_ENTRIES + 4), "status.get", 10 * DAY, 0).isPresent());
            assertTrue(j.begin("new", "status.get", 10 * DAY, 0).isEmpty(), "the oldest went first");
        }
    }

    @Test
    void a_damaged_file_is_moved_aside_and_started_afresh() throws Exception {
        Path file = dir.resolve("commands.db");
        Files.write(file, "this is not a database, it is a damaged file ".repeat(200).getBytes(StandardCharsets.UTF_8));
        try (SqliteCommandJournal j = SqliteCommandJournal.open(file, Clock.systemUTC())) {
            assertEquals(0, j.size());
            assertEquals(Optional.empty(), j.begin("c1", "status.get", 5000, 1000));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("commands.db.corrupt-")));
        }
    }
}
