package com.oviron.callidus.agent.settings;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.paho.PahoMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.store.commands.SqliteCommandJournal;
import com.oviron.callidus.store.folders.FolderGuard;
import com.oviron.callidus.store.settings.Origin;
import com.oviron.callidus.store.settings.SqliteSettingsVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings sync end to end: a real broker in the JVM (HiveMQ CE), the unit's Paho session, command channel
 * with its SQLite journal, the settings store in SQLite and a settings folder; the cloud is a Paho client.
 */
class SettingsSyncIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    static Path shared;
    private static EmbeddedBroker broker;
    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedBroker.start(shared.resolve("broker"));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** One unit: everything the lead wires in Agent.java for settings, on real parts. */
    static final class Unit implements AutoCloseable {
        final String id;
        final Path folder;
        final SqliteSettingsVersions versions;
        final PahoMqttConnection link;
        final CommandChannel channel;
        final ScheduledExecutorService settingsThread;
        final ThreadPoolExecutor commandsThread;
        final SettingsSync sync;

        Unit(String id, Path dir) throws Exception {
            this.id = id;
            this.folder = dir.resolve("settings");
            Clock clock = Clock.systemUTC();
            Topics topics = new Topics(id);
            versions = SqliteSettingsVersions.open(dir.resolve("settings.db"), 20, clock);
            LinkSettings ls = new LinkSettings(broker.uri(), id, Duration.ofSeconds(10), Duration.ofSeconds(3),
                    new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)), Optional.empty(), Optional.empty(),
                    16).withPersistentSession(true);
            link = new PahoMqttConnection(ls, topics.status(), id, "test", clock);
            commandsThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(16),
                    r -> new Thread(r, "commands"));
            channel = new CommandChannel(link, topics, SqliteCommandJournal.open(dir.resolve("commands.db"), clock),
                    commandsThread, clock);
            settingsThread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "settings-sync"));
            sync = new SettingsSync(new SettingsSyncSettings(folder, Duration.ofHours(24), Duration.ofMillis(200),
                    Duration.ofMillis(200), 20), dir.resolve("state"), FolderGuard.logOnly(), versions, link, topics,
                    settingsThread, clock);
            sync.registerCommands(channel);
            channel.start();
            sync.start();
            link.start();
        }

        void edit(String name, String text) throws Exception {
            Path p = folder.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        }

        JsonObject read(String name) throws Exception {
            return JsonParser.parseString(Files.readString(folder.resolve(name))).getAsJsonObject();
        }

        void awaitSynced(String name, long version) {
            Await.until(id + " " + name + " synced at version " + version, WAIT, () -> {
                try {
                    return versions.synced(name).map(v -> v.version() >= version).orElse(false);
                } catch (Exception e) {
                    return false;
                }
            });
        }

        @Override
        public void close() {
            sync.close();
            link.close();
            settingsThread.shutdownNow();
            commandsThread.shutdownNow();
            try {
                settingsThread.awaitTermination(5, TimeUnit.SECONDS);
                commandsThread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            channel.close();
            versions.close();
        }
    }

    /** The cloud side: sends commands, waits for replies, reads backups. */
    static final class Cloud implements AutoCloseable {
        final CloudSubscriber client;
        private int next;

        Cloud(String clientId) throws Exception {
            client = new CloudSubscriber(broker.uri(), clientId, "callidus/v1/+/settings", Topics.allReplies());
        }

        JsonObject command(String device, String name, String args) throws Exception {
            String id = "it-" + (++next) + "-" + System.nanoTime();
            long now = System.currentTimeMillis();
            client.publish("callidus/v1/" + device + "/cmd", "{\"v\":1,\"id\":\"" + id + "\",\"name\":\"" + name
                    + "\",\"args\":" + args + ",\"issuedAt\":" + now + ",\"expiresAt\":" + (now + 60_000) + "}");
            Await.until("reply to " + name, WAIT, () -> reply(device, id).isPresent());
            return reply(device, id).orElseThrow();
        }

        private Optional<JsonObject> reply(String device, String id) {
            return client.receivedOn("callidus/v1/" + device + "/reply").stream()
                    .map(r -> JsonParser.parseString(new String(r.payload(), UTF_8)).getAsJsonObject())
                    .filter(o -> o.get("id").getAsString().equals(id)).findFirst();
        }

        List<JsonObject> backups(String device) {
            return client.receivedOn("callidus/v1/" + device + "/settings").stream()
                    .map(r -> JsonParser.parseString(new String(r.payload(), UTF_8)).getAsJsonObject()).toList();
        }

        /** The newest content of each document of a unit, as its backups told it (what a cloud would keep). */
        JsonObject latestDocuments(String device) {
            JsonObject byName = new JsonObject();
            for (JsonObject m : backups(device)) {
                for (JsonElement e : m.getAsJsonArray("documents")) {
                    JsonObject d = e.getAsJsonObject();
                    if (d.has("deleted")) {
                        byName.remove(d.get("name").getAsString());
                    } else {
                        byName.add(d.get("name").getAsString(), d.get("content"));
                    }
                }
            }
            return byName;
        }

        JsonObject awaitBackup(String device, String what, java.util.function.Predicate<JsonObject> matches) {
            Await.until(device + ": " + what, WAIT, () -> backups(device).stream().anyMatch(matches));
            return backups(device).stream().filter(matches).findFirst().orElseThrow();
        }

        @Override
        public void close() throws org.eclipse.paho.client.mqttv3.MqttException {
            client.close();
        }
    }

    private static boolean hasDocument(JsonObject m, String name, int version) {
        for (JsonElement e : m.getAsJsonArray("documents")) {
            JsonObject d = e.getAsJsonObject();
            if (d.get("name").getAsString().equals(name) && d.get("version").getAsInt() == version) {
                return true;
            }
        }
        return false;
    }

    @Test
    void a_local_edit_is_backed_up_a_put_merges_and_a_conflict_is_reported() throws Exception {
        try (Cloud cloud = new Cloud("cloud-1"); Unit unit = new Unit("CAL-IT-1", dir.resolve("unit"))) {
            unit.edit("installation.json", "{\"light\":50,\"volume\":1,\"chair\":{\"speed\":3}}");
            JsonObject first = cloud.awaitBackup(unit.id, "installation v1", m -> hasDocument(m, "installation.json", 1));
            assertEquals(50, first.getAsJsonArray("documents").get(0).getAsJsonObject().getAsJsonObject("content")
                    .get("light").getAsInt());
            unit.awaitSynced("installation.json", 1);

            unit.edit("installation.json", "{\"light\":70,\"volume\":1,\"chair\":{\"speed\":3}}");
            cloud.awaitBackup(unit.id, "installation v2", m -> hasDocument(m, "installation.json", 2));
            unit.awaitSynced("installation.json", 2);

            // the cloud edited version 1: light is changed on both sides (conflict), volume only by the cloud
            JsonObject reply = cloud.command(unit.id, "settings.put", "{\"documents\":[{\"name\":\"installation.json\","
                    + "\"baseVersion\":1,\"content\":{\"light\":30,\"volume\":2,\"chair\":{\"speed\":3}}}]}");
            assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
            JsonObject result = reply.getAsJsonObject("result");
            JsonObject conflict = result.getAsJsonArray("conflicts").get(0).getAsJsonObject();
            assertEquals("/light", conflict.get("path").getAsString());
            assertEquals(70, conflict.get("local").getAsInt());
            assertEquals(30, conflict.get("cloud").getAsInt());
            assertEquals("local", conflict.get("winner").getAsString());
            assertEquals(70, unit.read("installation.json").get("light").getAsInt());
            assertEquals(2, unit.read("installation.json").get("volume").getAsInt());
            JsonObject put = cloud.awaitBackup(unit.id, "backup after put", m -> m.get("reason").getAsString()
                    .equals("put"));
            assertEquals("/light", put.getAsJsonArray("conflicts").get(0).getAsJsonObject().get("path").getAsString());
            assertTrue(hasDocument(put, "installation.json", 3));
            assertEquals(Origin.CLOUD, unit.versions.latest("installation.json").orElseThrow().origin());
        }
    }

    @Test
    void an_invalid_put_is_refused_as_a_whole_and_the_files_stay_as_they_were() throws Exception {
        try (Cloud cloud = new Cloud("cloud-2"); Unit unit = new Unit("CAL-IT-2", dir.resolve("unit"))) {
            unit.edit("installation.json", "{\"light\":50}");
            unit.edit("users/dr-a.json", "{\"speed\":3}");
            unit.awaitSynced("installation.json", 1);
            unit.awaitSynced("users/dr-a.json", 1);
            byte[] installation = Files.readAllBytes(unit.folder.resolve("installation.json"));
            byte[] user = Files.readAllBytes(unit.folder.resolve("users/dr-a.json"));
            JsonObject reply = cloud.command(unit.id, "settings.put", "{\"documents\":["
                    + "{\"name\":\"installation.json\",\"content\":{\"light\":60}},"
                    + "{\"name\":\"users/dr-a.json\",\"content\":{\"speed\":[3]}}]}");
            assertFalse(reply.get("ok").getAsBoolean());
            JsonObject error = reply.getAsJsonObject("error");
            assertEquals("invalid_argument", error.get("code").getAsString());
            assertTrue(error.get("message").getAsString().contains("users/dr-a.json: /speed"), error.toString());
            assertTrue(java.util.Arrays.equals(installation, Files.readAllBytes(unit.folder.resolve("installation.json"))));
            assertTrue(java.util.Arrays.equals(user, Files.readAllBytes(unit.folder.resolve("users/dr-a.json"))));
            assertEquals(1, unit.versions.latest("installation.json").orElseThrow().version());
        }
    }

    @Test
    void a_replacement_unit_restored_from_the_old_units_backup_comes_up_with_its_settings() throws Exception {
        try (Cloud cloud = new Cloud("cloud-3")) {
            try (Unit old = new Unit("CAL-IT-OLD", dir.resolve("old"))) {
                old.edit("installation.json", "{\"light\":55,\"lang\":\"de\"}");
                old.edit("users/dr-a.json", "{\"programs\":[{\"name\":\"endo\",\"speed\":1200}]}");
                old.edit("users/dr-b.json", "{\"programs\":[]}");
                old.awaitSynced("users/dr-b.json", 1);
                old.awaitSynced("users/dr-a.json", 1);
                old.awaitSynced("installation.json", 1);
            }
            JsonObject saved = cloud.latestDocuments("CAL-IT-OLD");
            assertEquals(3, saved.size());
            JsonArray documents = new JsonArray();
            saved.entrySet().forEach(e -> {
                JsonObject d = new JsonObject();
                d.addProperty("name", e.getKey());
                d.add("content", e.getValue());
                documents.add(d);
            });
            // the new unit: fresh store, fresh folder
            try (Unit fresh = new Unit("CAL-IT-NEW", dir.resolve("new"))) {
                // a unit that never made a full backup makes one on its first connect: here, an empty set
                JsonObject empty = cloud.awaitBackup(fresh.id, "first full backup", m -> m.get("reason").getAsString()
                        .equals("daily"));
                assertEquals(0, empty.getAsJsonArray("documents").size());
                JsonObject args = new JsonObject();
                args.addProperty("sourceDevice", "CAL-IT-OLD");
                args.addProperty("authorization", "grant-7f3a");
                args.add("documents", documents);
                JsonObject reply = cloud.command(fresh.id, "settings.restore", args.toString());
                assertTrue(reply.get("ok").getAsBoolean(), reply.toString());
                for (String name : List.of("installation.json", "users/dr-a.json", "users/dr-b.json")) {
                    assertTrue(JsonValues.same(saved.get(name), fresh.read(name)), name);
                    assertEquals(Origin.RESTORE, fresh.versions.latest(name).orElseThrow().origin());
                }
                JsonObject backup = cloud.awaitBackup(fresh.id, "restore backup", m -> m.get("reason").getAsString()
                        .equals("restore"));
                assertEquals(3, backup.getAsJsonArray("documents").size());
                fresh.awaitSynced("users/dr-a.json", 1);
            }
        }
    }
}
