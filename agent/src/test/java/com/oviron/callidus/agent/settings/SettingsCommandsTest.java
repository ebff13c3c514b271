package com.oviron.callidus.agent.settings;

import static com.oviron.callidus.agent.settings.SettingsSyncFixture.json;
import static com.oviron.callidus.agent.settings.SettingsSyncFixture.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.command.CommandException;
import com.oviron.callidus.cloud.command.ErrorCode;
import com.oviron.callidus.store.settings.DocumentVersion;
import com.oviron.callidus.store.settings.Origin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsCommandsTest {
    @TempDir
    Path dir;
    private SettingsSyncFixture f;

    @AfterEach
    void close() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    /** A unit whose installation.json is at version 1, confirmed by the cloud. */
    private SettingsSyncFixture unitWith(String installation) throws Exception {
        f = new SettingsSyncFixture(dir.resolve("settings")).start();
        f.link.connect();
        f.edit("installation.json", installation);
        f.awaitBackup(1).ack();
        f.awaitSynced("installation.json", 1);
        return f;
    }

    private JsonObject put(String args) throws CommandException {
        return obj(f.commands.put(f.command("settings.put", args)));
    }

    private CommandException refused(String name, String args) {
        return assertThrows(CommandException.class, () -> {
            switch (name) {
                case "settings.put" -> f.commands.put(f.command(name, args));
                case "settings.defaults" -> f.commands.defaults(f.command(name, args));
                case "settings.restore" -> f.commands.restore(f.command(name, args));
                case "settings.get" -> f.commands.get(f.command(name, args));
                default -> f.commands.backup(f.command(name, args));
            }
        });
    }

    private static JsonObject j(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    @Test
    void a_put_merges_with_the_local_change_made_since_the_synced_version() throws Exception {
        unitWith("{\"chair\":{\"speed\":3,\"tilt\":10},\"light\":50}");
        f.edit("installation.json", "{\"chair\":{\"speed\":4,\"tilt\":10},\"light\":50}");
        JsonObject r = put("{\"documents\":[{\"name\":\"installation.json\",\"content\":"
                + "{\"chair\":{\"speed\":3,\"tilt\":12},\"light\":50}}]}");
        JsonObject merged = j("{\"chair\":{\"speed\":4,\"tilt\":12},\"light\":50}");
        assertTrue(JsonValues.same(merged, f.readJson("installation.json")), f.read("installation.json"));
        JsonObject d = r.getAsJsonArray("documents").get(0).getAsJsonObject();
        assertEquals(3, d.get("version").getAsInt());
        assertTrue(d.get("changed").getAsBoolean());
        assertEquals("cloud", d.get("origin").getAsString());
        assertTrue(JsonValues.same(merged, d.getAsJsonObject("content")));
        assertEquals(0, r.getAsJsonArray("conflicts").size());
        // the file written for the cloud is not taken for a local change
        f.clock.advance(Duration.ofSeconds(5));
        f.scan();
        f.clock.advance(Duration.ofSeconds(5));
        f.scan();
        DocumentVersion latest = f.versions.latest("installation.json").orElseThrow();
        assertEquals(3, latest.version());
        assertEquals(Origin.CLOUD, latest.origin());
        JsonObject backup = json(f.backups().get(f.backups().size() - 1));
        assertEquals("put", backup.get("reason").getAsString());
        assertEquals(3, backup.getAsJsonArray("documents").get(0).getAsJsonObject().get("version").getAsInt());
    }

    @Test
    void a_conflict_is_won_by_the_unit_and_reported_in_the_reply_and_the_next_backup() throws Exception {
        unitWith("{\"light\":50,\"volume\":1}");
        f.edit("installation.json", "{\"light\":70,\"volume\":1}");
        int before = f.backups().size();
        JsonObject r = put("{\"documents\":[{\"name\":\"installation.json\",\"content\":{\"light\":30,\"volume\":2}}]}");
        assertTrue(JsonValues.same(j("{\"light\":70,\"volume\":2}"), f.readJson("installation.json")));
        JsonObject c = r.getAsJsonArray("conflicts").get(0).getAsJsonObject();
        assertEquals("installation.json", c.get("document").getAsString());
        assertEquals("/light", c.get("path").getAsString());
        assertEquals(50, c.get("base").getAsInt());
        assertEquals(70, c.get("local").getAsInt());
        assertEquals(30, c.get("cloud").getAsInt());
        assertEquals("local", c.get("winner").getAsString());
        JsonObject backup = json(f.awaitBackup(before + 1));
        JsonObject reported = backup.getAsJsonArray("conflicts").get(0).getAsJsonObject();
        assertEquals("/light", reported.get("path").getAsString());
        assertEquals("put", reported.get("via").getAsString());
        assertTrue(reported.get("command").getAsString().startsWith("c-"));
    }

    @Test
    void with_force_the_cloud_value_wins_the_conflict() throws Exception {
        unitWith("{\"light\":50}");
        f.edit("installation.json", "{\"light\":70}");
        JsonObject r = put("{\"force\":true,\"documents\":[{\"name\":\"installation.json\",\"content\":{\"light\":30}}]}");
        assertEquals(30, f.readJson("installation.json").get("light").getAsInt());
        assertEquals("cloud", r.getAsJsonArray("conflicts").get(0).getAsJsonObject().get("winner").getAsString());
    }

    @Test
    void base_version_names_the_version_the_cloud_edit_started_from() throws Exception {
        unitWith("{\"light\":50,\"volume\":1}");
        f.edit("installation.json", "{\"light\":70,\"volume\":1}");
        f.awaitBackup(2).ack();
        f.awaitSynced("installation.json", 2);
        // the cloud edited version 1 (it has not seen 2): light is a conflict, not a silent overwrite of 70
        JsonObject r = put("{\"documents\":[{\"name\":\"installation.json\",\"baseVersion\":1,"
                + "\"content\":{\"light\":50,\"volume\":2}}]}");
        assertTrue(JsonValues.same(j("{\"light\":70,\"volume\":2}"), f.readJson("installation.json")));
        assertEquals(0, r.getAsJsonArray("conflicts").size());
        CommandException e = refused("settings.put", "{\"documents\":[{\"name\":\"installation.json\","
                + "\"baseVersion\":99,\"content\":{}}]}");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("baseVersion 99 is not kept"), e.getMessage());
    }

    @Test
    void a_put_with_one_invalid_document_is_refused_as_a_whole_and_nothing_changes() throws Exception {
        unitWith("{\"light\":50}");
        f.edit("users/dr-a.json", "{\"speed\":3}");
        String installation = f.read("installation.json");
        String user = f.read("users/dr-a.json");
        long versions = f.versions.latestAll().stream().mapToLong(v -> v.version()).sum();
        CommandException e = refused("settings.put", "{\"documents\":["
                + "{\"name\":\"installation.json\",\"content\":{\"light\":60}},"
                + "{\"name\":\"users/dr-a.json\",\"content\":{\"speed\":\"fast\"}}]}");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("users/dr-a.json: /speed is a number on the unit and may not become a"
                + " string"), e.getMessage());
        assertEquals(installation, f.read("installation.json"));
        assertEquals(user, f.read("users/dr-a.json"));
        assertEquals(versions, f.versions.latestAll().stream().mapToLong(v -> v.version()).sum());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"documents\":{}}",
            "{\"documents\":[1]}",
            "{\"documents\":[{\"name\":\"../etc/passwd.json\",\"content\":{}}]}",
            "{\"documents\":[{\"name\":\"/installation.json\",\"content\":{}}]}",
            "{\"documents\":[{\"name\":\"logos/x.json\",\"content\":{}}]}",
            "{\"documents\":[{\"name\":\"installation.json\",\"content\":[1]}]}",
            "{\"documents\":[{\"name\":\"installation.json\",\"content\":\"{}\"}]}",
            "{\"documents\":[{\"name\":\"installation.json\"}]}",
            "{\"documents\":[{\"name\":7,\"content\":{}}]}",
            "{\"documents\":[{\"name\":\"installation.json\",\"content\":{},\"extra\":1}]}",
            "{\"documents\":[{\"name\":\"installation.json\",\"content\":{},\"baseVersion\":-1}]}",
            "{\"documents\":[{\"name\":\"installation.json\",\"content\":{},\"baseVersion\":1.5}]}",
            "{\"documents\":[{\"name\":\"installation.json\",\"content\":{}},{\"name\":\"installation.json\",\"content\":{}}]}",
            "{\"documents\":[],\"force\":\"yes\"}",
            "{\"documents\":[],\"unknown\":1}",
            "{\"documents\":[{\"name\":\"installation.json\",\"content\":{\"light\":{\"x\":1}}}]}"})
    void hostile_put_arguments_are_refused_and_change_nothing(String args) throws Exception {
        unitWith("{\"light\":50}");
        String before = f.read("installation.json");
        CommandException e = refused("settings.put", args);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertEquals(before, f.read("installation.json"));
        assertEquals(1, f.versions.latest("installation.json").orElseThrow().version());
    }

    @Test
    void too_many_documents_or_too_deep_content_are_refused() throws Exception {
        unitWith("{}");
        StringBuilder many = new StringBuilder("{\"documents\":[");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("{\"name\":\"users/u").append(i).append(".json\",\"content\":{}}");
        }
        assertTrue(refused("settings.put", many + "]}").getMessage().contains("at most 64"));
        String deep = "{\"a\":".repeat(16) + "1" + "}".repeat(16);
        CommandException e = refused("settings.put", "{\"documents\":[{\"name\":\"installation.json\",\"content\":"
                + deep + "}]}");
        assertTrue(e.getMessage().contains("deeper than 16"), e.getMessage());
        assertTrue(f.versions.latest("users/u1.json").isEmpty());
    }

    @Test
    void a_put_while_the_document_is_being_edited_on_the_unit_is_answered_busy() throws Exception {
        unitWith("{\"light\":50}");
        f.write("installation.json", "{\"light\":51}");
        CommandException e = refused("settings.put", "{\"documents\":[{\"name\":\"installation.json\",\"content\":"
                + "{\"light\":60}}]}");
        assertEquals(ErrorCode.BUSY, e.code());
        assertEquals("{\"light\":51}", f.read("installation.json"));
    }

    @Test
    void clinic_defaults_change_what_the_room_never_changed_and_keep_its_overrides() throws Exception {
        unitWith("{\"light\":50,\"volume\":1,\"lang\":\"de\"}");
        JsonObject first = obj(f.commands.defaults(f.command("settings.defaults", "{\"clinic\":\"clinic-7\","
                + "\"documents\":[{\"name\":\"installation.json\",\"content\":{\"light\":50,\"volume\":1}},"
                + "{\"name\":\"users/shared.json\",\"content\":{\"program\":[1,2]}}]}")));
        assertEquals(0, first.getAsJsonArray("overrides").size());
        assertEquals("[1,2]", f.readJson("users/shared.json").get("program").toString(), "created from the defaults");
        f.edit("installation.json", "{\"light\":80,\"volume\":1,\"lang\":\"de\"}");
        JsonObject r = obj(f.commands.defaults(f.command("settings.defaults", "{\"clinic\":\"clinic-7\","
                + "\"documents\":[{\"name\":\"installation.json\",\"content\":{\"light\":60,\"volume\":2}}]}")));
        assertTrue(JsonValues.same(j("{\"light\":80,\"volume\":2,\"lang\":\"de\"}"), f.readJson("installation.json")),
                f.read("installation.json"));
        JsonObject override = r.getAsJsonArray("overrides").get(0).getAsJsonObject();
        assertEquals("/light", override.get("path").getAsString());
        assertEquals(80, override.get("local").getAsInt());
        assertEquals(2, f.versions.defaults().stream().filter(d -> d.name().equals("installation.json")).findFirst()
                .orElseThrow().version());
        assertEquals(Origin.DEFAULTS, f.versions.latest("installation.json").orElseThrow().origin());
        // the room's own change is not a conflict for the cloud to resolve
        assertEquals(0, json(f.backups().get(f.backups().size() - 1)).getAsJsonArray("conflicts").size());
        CommandException e = refused("settings.defaults", "{\"clinic\":\"clinic 7\",\"documents\":[]}");
        assertTrue(e.getMessage().startsWith("args.clinic"), e.getMessage());
    }

    @Test
    void restore_onto_a_fresh_store_and_folder_brings_up_the_old_units_set() throws Exception {
        f = new SettingsSyncFixture(dir.resolve("fresh")).start();
        f.link.connect();
        JsonObject r = obj(f.commands.restore(f.command("settings.restore", "{\"sourceDevice\":\"CAL-OLD-7\","
                + "\"authorization\":\"tok-secret-123\",\"documents\":["
                + "{\"name\":\"installation.json\",\"content\":{\"light\":50}},"
                + "{\"name\":\"users/dr-a.json\",\"content\":{\"speed\":3}}]}")));
        assertEquals(50, f.readJson("installation.json").get("light").getAsInt());
        assertEquals(3, f.readJson("users/dr-a.json").get("speed").getAsInt());
        assertEquals("CAL-OLD-7", r.get("sourceDevice").getAsString());
        DocumentVersion v = f.versions.latest("users/dr-a.json").orElseThrow();
        assertEquals(Origin.RESTORE, v.origin());
        assertTrue(v.note().contains("CAL-OLD-7") && v.note().contains("authorization sha256:"), v.note());
        assertFalse(v.note().contains("tok-secret-123"), "the authorisation itself is not stored");
        JsonObject backup = json(f.awaitBackup(1));
        assertEquals("restore", backup.get("reason").getAsString());
        assertEquals(2, backup.getAsJsonArray("documents").size());
        f.clock.advance(Duration.ofSeconds(5));
        f.scan();
        f.scan();
        assertEquals(1, f.versions.latest("installation.json").orElseThrow().version(), "no bounce");
    }

    @Test
    void restore_replaces_the_whole_set_and_leaves_logos_alone() throws Exception {
        unitWith("{\"light\":50}");
        f.edit("users/dr-b.json", "{\"speed\":1}");
        f.write("logos/logo.png", "png");
        JsonObject r = obj(f.commands.restore(f.command("settings.restore", "{\"sourceDevice\":\"CAL-0002\","
                + "\"authorization\":\"x\",\"documents\":[{\"name\":\"users/dr-a.json\",\"content\":{\"speed\":3}}]}")));
        assertFalse(Files.exists(f.folder.resolve("installation.json")));
        assertFalse(Files.exists(f.folder.resolve("users/dr-b.json")));
        assertEquals("png", f.read("logos/logo.png"));
        JsonArray removed = r.getAsJsonArray("removed");
        assertEquals(List.of("installation.json", "users/dr-b.json"),
                removed.asList().stream().map(e -> e.getAsString()).sorted().toList());
        assertTrue(f.versions.latest("users/dr-b.json").orElseThrow().deleted());
    }

    @Test
    void a_restore_interrupted_by_a_failing_write_leaves_the_old_set() throws Exception {
        f = new SettingsSyncFixture(dir.resolve("settings"), Duration.ofHours(1),
                SettingsFolderTest.failingOn(2)).start();
        f.link.connect();
        f.edit("installation.json", "{\"light\":50}");
        f.edit("users/dr-b.json", "{\"speed\":1}");
        CommandException e = refused("settings.restore", "{\"sourceDevice\":\"CAL-0002\",\"authorization\":\"x\","
                + "\"documents\":[{\"name\":\"installation.json\",\"content\":{\"light\":1}},"
                + "{\"name\":\"users/dr-a.json\",\"content\":{\"speed\":3}},"
                + "{\"name\":\"users/dr-c.json\",\"content\":{\"speed\":4}}]}");
        assertEquals(ErrorCode.FAILED, e.code());
        assertTrue(e.getMessage().contains("No space left"), e.getMessage());
        assertEquals("{\"light\":50}", f.read("installation.json"));
        assertEquals("{\"speed\":1}", f.read("users/dr-b.json"));
        assertFalse(Files.exists(f.folder.resolve("users/dr-a.json")));
        assertEquals(1, f.versions.latest("installation.json").orElseThrow().version());
        assertTrue(f.versions.latest("users/dr-a.json").isEmpty());
    }

    @Test
    void when_the_store_cannot_record_the_change_the_files_are_put_back() throws Exception {
        unitWith("{\"light\":50}");
        f.edit("users/dr-b.json", "{\"speed\":1}");
        String installation = f.read("installation.json");
        f.store.failRecords = true;
        CommandException e = refused("settings.restore", "{\"sourceDevice\":\"CAL-0002\",\"authorization\":\"x\","
                + "\"documents\":[{\"name\":\"installation.json\",\"content\":{\"light\":1}},"
                + "{\"name\":\"users/dr-a.json\",\"content\":{\"speed\":3}}]}");
        assertEquals(ErrorCode.FAILED, e.code());
        assertTrue(e.getMessage().contains("disk is full"), e.getMessage());
        assertEquals(installation, f.read("installation.json"));
        assertEquals("{\"speed\":1}", f.read("users/dr-b.json"));
        assertFalse(Files.exists(f.folder.resolve("users/dr-a.json")));
        f.store.failRecords = false;
        f.clock.advance(Duration.ofSeconds(5));
        f.scan();
        f.clock.advance(Duration.ofSeconds(5));
        f.scan();
        assertEquals(1, f.versions.latest("installation.json").orElseThrow().version(), "nothing taken as a change");
        assertTrue(f.versions.latest("users/dr-a.json").isEmpty());
    }

    @Test
    void hostile_restore_arguments_are_refused() throws Exception {
        unitWith("{\"light\":50}");
        for (String args : new String[] {
                "{\"authorization\":\"x\",\"documents\":[{\"name\":\"installation.json\",\"content\":{}}]}",
                "{\"sourceDevice\":\"../x\",\"authorization\":\"x\",\"documents\":[]}",
                "{\"sourceDevice\":\"CAL-1\",\"documents\":[{\"name\":\"installation.json\",\"content\":{}}]}",
                "{\"sourceDevice\":\"CAL-1\",\"authorization\":\"with space\",\"documents\":[]}",
                "{\"sourceDevice\":\"CAL-1\",\"authorization\":\"x\",\"documents\":[]}",
                "{\"sourceDevice\":\"CAL-1\",\"authorization\":\"x\",\"documents\":[{\"name\":\"installation.json\","
                        + "\"content\":{},\"baseVersion\":1}]}"}) {
            CommandException e = refused("settings.restore", args);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), args);
        }
        assertEquals("{\"light\":50}", f.read("installation.json"));
    }

    @Test
    void get_returns_documents_with_versions_and_whether_the_cloud_has_them() throws Exception {
        unitWith("{\"light\":50}");
        f.edit("users/dr-a.json", "{\"speed\":3}");
        JsonObject all = obj(f.commands.get(f.command("settings.get", "{}")));
        assertEquals(2, all.getAsJsonArray("documents").size());
        JsonObject some = obj(f.commands.get(f.command("settings.get",
                "{\"names\":[\"installation.json\",\"users/none.json\"]}")));
        JsonObject d = some.getAsJsonArray("documents").get(0).getAsJsonObject();
        assertEquals("installation.json", d.get("name").getAsString());
        assertEquals(1, d.get("version").getAsInt());
        assertTrue(d.get("synced").getAsBoolean());
        assertEquals(50, d.getAsJsonObject("content").get("light").getAsInt());
        assertEquals("users/none.json", some.getAsJsonArray("missing").get(0).getAsString());
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("settings.get", "{\"names\":[\"../x\"]}").code());
    }

    @Test
    void backup_command_sends_every_document_now() throws Exception {
        unitWith("{\"light\":50}");
        JsonObject r = obj(f.commands.backup(f.command("settings.backup", "{}")));
        assertEquals(1, r.get("documents").getAsInt());
        assertEquals(1, r.get("messages").getAsInt());
        JsonObject m = json(f.awaitBackup(2));
        assertEquals("backup", m.get("reason").getAsString());
        assertEquals(1, m.getAsJsonArray("documents").size());
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused("settings.backup", "{\"x\":1}").code());
    }
}
