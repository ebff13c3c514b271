package com.oviron.callidus.agent.settings;

import static com.oviron.callidus.agent.settings.SettingsSyncFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.Origin;
import com.oviron.callidus.store.settings.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsSyncTest {
    @TempDir
    Path dir;
    private SettingsSyncFixture f;

    private SettingsSyncFixture fixture() throws Exception {
        f = new SettingsSyncFixture(dir.resolve("settings")).start();
        return f;
    }

    @AfterEach
    void close() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void a_local_edit_is_recorded_once_quiet_backed_up_and_becomes_the_base_on_puback() throws Exception {
        fixture();
        f.link.connect();
        f.write("installation.json", "{\"chair\":{\"speed\":3}}");
        f.scan();
        assertTrue(f.versions.latest("installation.json").isEmpty(), "still within the quiet period");
        f.clock.advance(Duration.ofSeconds(2));
        f.scan();
        DocumentVersion v = f.versions.latest("installation.json").orElseThrow();
        assertEquals(1, v.version());
        assertEquals(Origin.LOCAL, v.origin());
        FakeMqttConnection.Publish p = f.awaitBackup(1);
        assertEquals(1, p.qos());
        assertFalse(p.retained());
        JsonObject m = json(p);
        assertEquals(1, m.get("v").getAsInt());
        assertEquals("CAL-0001", m.get("device").getAsString());
        assertEquals("change", m.get("reason").getAsString());
        assertEquals(1, m.get("part").getAsInt());
        assertEquals(1, m.get("parts").getAsInt());
        JsonObject d = m.getAsJsonArray("documents").get(0).getAsJsonObject();
        assertEquals("installation.json", d.get("name").getAsString());
        assertEquals("installation", d.get("kind").getAsString());
        assertEquals(1, d.get("version").getAsInt());
        assertEquals("local", d.get("origin").getAsString());
        assertEquals(Sha256.hex("{\"chair\":{\"speed\":3}}".getBytes()), d.get("sha256").getAsString());
        assertEquals(3, d.getAsJsonObject("content").getAsJsonObject("chair").get("speed").getAsInt());
        assertTrue(f.versions.synced("installation.json").isEmpty(), "not the base before the PUBACK");
        p.ack();
        f.awaitSynced("installation.json", 1);
    }

    @Test
    void a_file_still_being_written_is_taken_only_after_it_stopped_changing() throws Exception {
        fixture();
        f.link.connect();
        f.write("users/dr-a.json", "{\"program\":");
        f.scan();
        f.clock.advance(Duration.ofSeconds(1));
        f.write("users/dr-a.json", "{\"program\":[1,2");
        f.scan();
        f.clock.advance(Duration.ofMillis(1500));
        f.write("users/dr-a.json", "{\"program\":[1,2,3]}");
        f.scan();
        f.clock.advance(Duration.ofMillis(1500));
        f.scan();
        assertTrue(f.versions.latestAll().isEmpty());
        f.clock.advance(Duration.ofMillis(600));
        f.scan();
        assertEquals("{\"program\":[1,2,3]}", new String(f.versions.latest("users/dr-a.json").orElseThrow().content()));
        JsonObject m = json(f.awaitBackup(1));
        assertEquals(0, m.getAsJsonArray("invalidLocal").size(), "half-written states were never taken");
    }

    @Test
    void invalid_local_json_is_reported_once_not_versioned_and_the_last_good_version_stays() throws Exception {
        fixture();
        f.link.connect();
        f.edit("installation.json", "{\"a\":1}");
        f.awaitBackup(1).ack();
        f.edit("installation.json", "{\"a\":1,\"a\":2}");
        JsonObject m = json(f.awaitBackup(2));
        assertEquals(1, f.versions.latest("installation.json").orElseThrow().version());
        assertEquals(0, m.getAsJsonArray("documents").size());
        JsonObject bad = m.getAsJsonArray("invalidLocal").get(0).getAsJsonObject();
        assertEquals("installation.json", bad.get("document").getAsString());
        assertTrue(bad.get("reason").getAsString().contains("a appears twice"), bad.toString());
        assertEquals(Sha256.hex("{\"a\":1,\"a\":2}".getBytes()), bad.get("sha256").getAsString());
        f.backups().get(1).ack();
        f.clock.advance(Duration.ofSeconds(10));
        f.scan();
        f.scan();
        assertEquals(2, f.backups().size(), "reported once");
        f.edit("installation.json", "{\"a\":2}");
        assertEquals(2, f.versions.latest("installation.json").orElseThrow().version());
    }

    @Test
    void a_removed_file_is_backed_up_as_a_deletion() throws Exception {
        fixture();
        f.link.connect();
        f.edit("users/dr-a.json", "{}");
        f.awaitBackup(1).ack();
        Files.delete(f.folder.resolve("users/dr-a.json"));
        f.scan();
        f.clock.advance(Duration.ofSeconds(3));
        f.scan();
        assertTrue(f.versions.latest("users/dr-a.json").orElseThrow().deleted());
        JsonObject d = json(f.awaitBackup(2)).getAsJsonArray("documents").get(0).getAsJsonObject();
        assertTrue(d.get("deleted").getAsBoolean());
        assertEquals(2, d.get("version").getAsInt());
        assertFalse(d.has("content"));
    }

    @Test
    void changes_made_while_offline_are_backed_up_on_reconnect_and_an_unacknowledged_one_again() throws Exception {
        fixture();
        f.edit("installation.json", "{\"a\":1}");
        f.edit("users/dr-a.json", "{\"b\":1}");
        assertEquals(0, f.backups().size());
        f.link.connect();
        JsonObject m = json(f.awaitBackup(1));
        assertEquals(2, m.getAsJsonArray("documents").size());
        f.link.disconnect("cut");
        f.link.connect();
        FakeMqttConnection.Publish again = f.awaitBackup(2);
        assertEquals(2, json(again).getAsJsonArray("documents").size());
        again.ack();
        f.awaitSynced("installation.json", 1);
        f.awaitSynced("users/dr-a.json", 1);
        assertTrue(f.versions.unsynced().isEmpty());
    }

    @Test
    void every_document_is_backed_up_when_the_full_backup_is_due() throws Exception {
        f = new SettingsSyncFixture(dir.resolve("settings"), Duration.ofMillis(100),
                com.oviron.callidus.store.folders.ConfinedFolder::writeNew).start();
        f.edit("installation.json", "{\"a\":1}");
        f.edit("users/dr-a.json", "{\"b\":1}");
        f.link.connect();
        f.awaitBackup(1).ack();
        f.awaitSynced("users/dr-a.json", 1);
        // the connect and the rescan (every 100 ms here) may each have published the two new documents before
        // the first acknowledgement came (a duplicate the cloud drops by version): the daily backup is the
        // first one after the clock has moved
        int before = f.backups().size();
        f.clock.advance(Duration.ofHours(24));
        FakeMqttConnection.Publish daily = f.awaitBackup(before + 1);
        JsonObject m = json(daily);
        assertEquals("daily", m.get("reason").getAsString());
        assertEquals(2, m.getAsJsonArray("documents").size());
        long at = m.get("at").getAsLong();
        daily.ack();
        Await.until("full backup booked", SettingsSyncFixture.WAIT, () -> {
            return f.versions.lastFullBackupMillis().orElse(0) == at;
        });
    }

    @Test
    void a_large_backup_is_split_into_messages_under_100_kb() throws Exception {
        fixture();
        for (String n : new String[] {"installation.json", "users/a.json", "users/b.json"}) {
            f.write(n, "{\"text\":\"" + "x".repeat(60_000) + "\"}");
        }
        f.scan();
        f.clock.advance(Duration.ofSeconds(3));
        f.scan();
        f.link.connect();
        f.awaitBackup(3);
        int documents = 0;
        for (int i = 0; i < 3; i++) {
            FakeMqttConnection.Publish p = f.backups().get(i);
            assertTrue(p.payload().length <= BackupMessages.MAX_MESSAGE_BYTES, "part " + i + ": " + p.payload().length);
            JsonObject m = json(p);
            assertEquals(i + 1, m.get("part").getAsInt());
            assertEquals(3, m.get("parts").getAsInt());
            documents += m.getAsJsonArray("documents").size();
        }
        assertEquals(3, documents);
        f.backups().get(0).ack();
        f.backups().get(2).ack();
        f.awaitSynced("users/b.json", 1);
        assertEquals(1, f.versions.unsynced().size(), "only the acknowledged parts count");
    }

    @Test
    void the_folder_watch_notices_an_edit_without_a_rescan() throws Exception {
        fixture();
        f.link.connect();
        f.write("installation.json", "{\"a\":1}");
        // the watch thread triggers the scan; the quiet period then needs the clock and a rescan
        Await.until("the edit was seen", SettingsSyncFixture.WAIT, () -> {
            f.clock.advance(Duration.ofSeconds(3));
            return f.versions.latest("installation.json").isPresent();
        });
    }

    @Test
    void reports_wait_bounded_for_the_next_backup() throws Exception {
        fixture();
        for (int i = 0; i < BackupPublisher.MAX_PENDING_REPORTS + 5; i++) {
            f.write("installation.json", "{broken " + i);
            f.scan();
            f.clock.advance(Duration.ofSeconds(3));
            f.scan();
        }
        assertEquals(5, f.sync.stats().reportsDropped());
        f.link.connect();
        JsonArray invalid = json(f.awaitBackup(1)).getAsJsonArray("invalidLocal");
        assertEquals(BackupPublisher.MAX_PENDING_REPORTS, invalid.size());
    }
}
