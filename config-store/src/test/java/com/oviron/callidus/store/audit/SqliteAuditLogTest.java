package com.oviron.callidus.store.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteAuditLogTest extends AuditLogContract {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-11T08:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Override
    AuditLog fresh() throws Exception {
        return SqliteAuditLog.open(dir.resolve("audit-" + System.nanoTime() + ".db"), MAX, CLOCK);
    }

    @Test
    void entries_and_the_removed_count_survive_a_reopen() throws Exception {
        Path file = dir.resolve("audit.db");
        try (AuditLog log = SqliteAuditLog.open(file, MAX, CLOCK)) {
            for (int i = 1; i <= MAX + 2; i++) {
                log.append(entry(i, "s", "a" + i));
            }
        }
        try (AuditLog log = SqliteAuditLog.open(file, MAX, CLOCK)) {
            assertEquals(MAX, log.count());
            assertEquals(2, log.removed());
            assertEquals(MAX + 3, log.append(entry(99, "s", "after")), "sequence numbers are never reused");
        }
    }

    @Test
    void a_damaged_file_is_moved_aside_and_started_afresh() throws Exception {
        Path file = dir.resolve("audit.db");
        Files.write(file, "this is not a database, it is garbage of some length ....................".repeat(100)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (AuditLog log = SqliteAuditLog.open(file, MAX, CLOCK)) {
            assertEquals(0, log.count());
            assertEquals(1, log.append(entry(1, "s", "login")));
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("audit.db.corrupt-")));
        }
    }

    @Test
    void refuses_a_bound_below_ten() {
        assertThrows(IllegalArgumentException.class, () -> SqliteAuditLog.open(dir.resolve("x.db"), 9, CLOCK));
    }
}
