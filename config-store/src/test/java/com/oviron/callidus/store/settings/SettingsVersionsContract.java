package com.oviron.callidus.store.settings;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link SettingsVersions} does; run against the SQLite file and the in-memory fake. */
abstract class SettingsVersionsContract {
    static final int MAX = 4;

    /** A fresh, empty store keeping {@link #MAX} versions per document. */
    abstract SettingsVersions fresh() throws Exception;

    static NewVersion local(String name, String json) {
        return NewVersion.of(name, json.getBytes(UTF_8), Origin.LOCAL, "");
    }

    @Test
    void numbers_versions_per_document_and_hashes_the_content() throws Exception {
        try (SettingsVersions store = fresh()) {
            List<DocumentVersion> first = store.record(List.of(local("installation.json", "{\"a\":1}"),
                    local("users/dr-a.json", "{}")), List.of(), 1000);
            DocumentVersion second = store.record(List.of(local("installation.json", "{\"a\":2}")), List.of(), 2000)
                    .get(0);
            assertEquals(1, first.get(0).version());
            assertEquals(1, first.get(1).version());
            assertEquals(2, second.version());
            assertEquals(Sha256.hex("{\"a\":2}".getBytes(UTF_8)), second.sha256());
            assertEquals(second, store.latest("installation.json").orElseThrow());
            assertArrayEquals("{\"a\":1}".getBytes(UTF_8),
                    store.version("installation.json", 1).orElseThrow().content());
            assertEquals(List.of("installation.json", "users/dr-a.json"),
                    store.latestAll().stream().map(DocumentVersion::name).toList());
            assertEquals(2000, store.latest("installation.json").orElseThrow().atMillis());
        }
    }

    @Test
    void unsynced_lists_documents_until_the_cloud_confirms_their_newest_version() throws Exception {
        try (SettingsVersions store = fresh()) {
            store.record(List.of(local("installation.json", "{}"), local("users/a.json", "{}")), List.of(), 1);
            assertEquals(2, store.unsynced().size());
            store.markSynced("installation.json", 1);
            assertEquals(List.of("users/a.json"), store.unsynced().stream().map(DocumentVersion::name).toList());
            assertEquals(1, store.synced("installation.json").orElseThrow().version());
            store.record(List.of(local("installation.json", "{\"x\":1}")), List.of(), 2);
            assertEquals(2, store.unsynced().size());
            assertEquals(1, store.synced("installation.json").orElseThrow().version(), "base stays until acked");
        }
    }

    @Test
    void an_older_confirmation_does_not_move_the_base_back_and_an_unknown_version_is_ignored() throws Exception {
        try (SettingsVersions store = fresh()) {
            store.record(List.of(local("installation.json", "{}")), List.of(), 1);
            store.record(List.of(local("installation.json", "{\"b\":1}")), List.of(), 2);
            store.markSynced("installation.json", 2);
            store.markSynced("installation.json", 1);
            store.markSynced("installation.json", 7);
            store.markSynced("users/none.json", 1);
            assertEquals(2, store.synced("installation.json").orElseThrow().version());
            assertTrue(store.synced("users/none.json").isEmpty());
        }
    }

    @Test
    void keeps_the_newest_versions_and_the_synced_base() throws Exception {
        try (SettingsVersions store = fresh()) {
            store.record(List.of(local("installation.json", "{\"v\":1}")), List.of(), 1);
            store.markSynced("installation.json", 1);
            for (int i = 2; i <= 10; i++) {
                store.record(List.of(local("installation.json", "{\"v\":" + i + "}")), List.of(), i);
            }
            assertTrue(store.version("installation.json", 1).isPresent(), "the merge base is never pruned");
            assertFalse(store.version("installation.json", 2).isPresent());
            assertFalse(store.version("installation.json", 6).isPresent());
            for (int v = 7; v <= 10; v++) {
                assertTrue(store.version("installation.json", v).isPresent(), "version " + v);
            }
            store.markSynced("installation.json", 10);
            assertFalse(store.version("installation.json", 1).isPresent(), "the old base goes once replaced");
        }
    }

    @Test
    void a_deletion_is_a_version_and_numbering_goes_on_after_it() throws Exception {
        try (SettingsVersions store = fresh()) {
            store.record(List.of(local("users/a.json", "{}")), List.of(), 1);
            DocumentVersion gone = store.record(List.of(NewVersion.deletion("users/a.json", Origin.RESTORE,
                    "from X")), List.of(), 2).get(0);
            assertTrue(gone.deleted());
            assertEquals(0, gone.content().length);
            assertEquals(Origin.RESTORE, store.latest("users/a.json").orElseThrow().origin());
            assertEquals("from X", store.latest("users/a.json").orElseThrow().note());
            assertTrue(store.latest("users/a.json").orElseThrow().deleted());
            assertEquals(3, store.record(List.of(local("users/a.json", "{}")), List.of(), 3).get(0).version());
        }
    }

    @Test
    void records_defaults_with_their_own_version_per_document() throws Exception {
        try (SettingsVersions store = fresh()) {
            store.record(List.of(local("installation.json", "{}")),
                    List.of(new NewDefaults("clinic-7", "installation.json", "{\"d\":1}".getBytes(UTF_8))), 5);
            store.record(List.of(), List.of(new NewDefaults("clinic-7", "installation.json",
                    "{\"d\":2}".getBytes(UTF_8))), 6);
            ClinicDefaults d = store.defaults().get(0);
            assertEquals(1, store.defaults().size());
            assertEquals(2, d.version());
            assertEquals("clinic-7", d.clinic());
            assertArrayEquals("{\"d\":2}".getBytes(UTF_8), d.content());
            assertEquals(Sha256.hex("{\"d\":2}".getBytes(UTF_8)), d.sha256());
        }
    }

    @Test
    void refuses_a_batch_with_an_oversized_or_repeated_document_and_records_none_of_it() throws Exception {
        try (SettingsVersions store = fresh()) {
            byte[] big = new byte[SettingsVersions.MAX_DOCUMENT_BYTES + 1];
            assertThrows(IllegalArgumentException.class, () -> store.record(List.of(local("users/a.json", "{}"),
                    NewVersion.of("users/b.json", big, Origin.CLOUD, "")), List.of(), 1));
            assertThrows(IllegalArgumentException.class, () -> store.record(List.of(local("users/a.json", "{}"),
                    local("users/a.json", "{\"x\":1}")), List.of(), 1));
            assertTrue(store.latestAll().isEmpty());
        }
    }

    @Test
    void remembers_the_last_full_backup() throws Exception {
        try (SettingsVersions store = fresh()) {
            assertTrue(store.lastFullBackupMillis().isEmpty());
            store.fullBackupDone(1234);
            assertEquals(1234, store.lastFullBackupMillis().getAsLong());
        }
    }
}
