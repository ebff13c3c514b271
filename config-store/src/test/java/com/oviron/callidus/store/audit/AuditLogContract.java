package com.oviron.callidus.store.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link AuditLog} does; run against the SQLite file and the in-memory fake. */
abstract class AuditLogContract {
    static final int MAX = 10;

    /** A fresh, empty log keeping {@link #MAX} entries. */
    abstract AuditLog fresh() throws Exception;

    static NewAuditEntry entry(long at, String session, String action) {
        return new NewAuditEntry(at, "T-4711", "service", "console", session, action, "{\"document\":\"a.json\"}",
                "ok", true);
    }

    @Test
    void numbers_entries_from_one_and_lists_the_newest_first() throws Exception {
        try (AuditLog log = fresh()) {
            assertEquals(1, log.append(entry(1000, "s1", "login")));
            assertEquals(2, log.append(entry(2000, "s1", "settings.put")));
            assertEquals(3, log.append(new NewAuditEntry(3000, "cloud", "-", "cloud", "", "display.rollback", "{}",
                    "refused (failed): no previous image", false)));
            List<AuditEntry> newest = log.newest(2);
            assertEquals(List.of(3L, 2L), newest.stream().map(AuditEntry::seq).toList());
            AuditEntry refused = newest.get(0);
            assertEquals("cloud", refused.actor());
            assertEquals("", refused.session());
            assertFalse(refused.ok());
            assertEquals("refused (failed): no previous image", refused.outcome());
            AuditEntry put = newest.get(1);
            assertEquals(new AuditEntry(2, 2000, "T-4711", "service", "console", "s1", "settings.put",
                    "{\"document\":\"a.json\"}", "ok", true), put);
            assertEquals(3, log.count());
        }
    }

    @Test
    void lists_one_sessions_entries_oldest_first() throws Exception {
        try (AuditLog log = fresh()) {
            log.append(entry(1, "s1", "login"));
            log.append(entry(2, "s2", "login"));
            log.append(entry(3, "s1", "settings.put"));
            log.append(entry(4, "", "display.rollback"));
            assertEquals(List.of("login", "settings.put"), log.session("s1").stream().map(AuditEntry::action).toList());
            assertTrue(log.session("").isEmpty(), "no session is not a session");
            assertTrue(log.session("s9").isEmpty());
        }
    }

    @Test
    void keeps_the_newest_entries_and_counts_the_removed_ones() throws Exception {
        try (AuditLog log = fresh()) {
            for (int i = 1; i <= MAX + 3; i++) {
                log.append(entry(i, "s", "a" + i));
            }
            assertEquals(MAX, log.count());
            assertEquals(3, log.removed());
            List<AuditEntry> newest = log.newest(100);
            assertEquals(MAX, newest.size());
            assertEquals(MAX + 3, newest.get(0).seq());
            assertEquals(4, newest.get(MAX - 1).seq(), "the three oldest went");
            assertEquals(MAX, log.maxEntries());
        }
    }

    @Test
    void cuts_overlong_fields_instead_of_refusing_the_entry() throws Exception {
        try (AuditLog log = fresh()) {
            String details = "x".repeat(AuditEntry.MAX_DETAILS + 50);
            log.append(new NewAuditEntry(1, "a".repeat(100), "-", "console", "", "login", details, "o".repeat(2000),
                    true));
            AuditEntry e = log.newest(1).get(0);
            assertEquals(AuditEntry.MAX_ACTOR, e.actor().length());
            assertTrue(e.actor().endsWith("..."));
            assertEquals(AuditEntry.MAX_DETAILS, e.details().length());
            assertEquals(AuditEntry.MAX_OUTCOME, e.outcome().length());
        }
    }

    @Test
    void an_entry_needs_an_actor_and_an_action() {
        assertThrows(IllegalArgumentException.class, () -> new NewAuditEntry(1, "", "-", "console", "", "login", "{}",
                "ok", true));
        assertThrows(IllegalArgumentException.class, () -> new NewAuditEntry(1, "clinic", "-", "console", "", "", "{}",
                "ok", true));
    }
}
