package com.oviron.callidus.agent.settings;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsFolderTest {
    @TempDir
    Path dir;

    Path root;
    Path state;
    Path outside;
    final List<String> alarms = new CopyOnWriteArrayList<>();
    final FolderGuard guard = new FolderGuard(alarms::add);

    static final DocumentName INSTALLATION = new DocumentName("installation.json");
    static final DocumentName DR_A = new DocumentName("users/dr-a.json");
    static final DocumentName DR_B = new DocumentName("users/dr-b.json");
    static final String TEMP_1 = ".settings-11111111-1111-4111-8111-111111111111.tmp";
    static final String TEMP_2 = ".settings-22222222-2222-4222-8222-222222222222.tmp";

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(dir.resolve("settings"));
        state = Files.createDirectories(dir.resolve("state"));
        outside = Files.createDirectories(dir.resolve("etc-callidus"));
        Files.writeString(outside.resolve("agent.json"), "{\"the agent's configuration\":1}");
        Files.writeString(outside.resolve("dr-x.json"), "{\"elsewhere\":1}");
    }

    private SettingsFolder folder() {
        return new SettingsFolder(ConfinedFolder.of(root, "settings", guard), state);
    }

    private SettingsFolder folder(Path at) {
        return new SettingsFolder(ConfinedFolder.of(at, "settings", guard), state);
    }

    private void write(String relative, String text) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void assertOutsideUntouched() throws IOException {
        assertEquals("{\"the agent's configuration\":1}", Files.readString(outside.resolve("agent.json")));
        assertEquals("{\"elsewhere\":1}", Files.readString(outside.resolve("dr-x.json")));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(2, s.count(), "nothing added to or removed from the folder outside");
        }
    }

    /** Makes the {@code failOn}-th temp write fail, as a full disk would. */
    static SettingsFolder.TempWriter failingOn(int failOn) {
        AtomicInteger count = new AtomicInteger();
        return (folder, temp, bytes) -> {
            if (count.incrementAndGet() == failOn) {
                folder.writeNew(temp, new byte[] {'{'}); // half written
                throw new IOException("No space left on device");
            }
            folder.writeNew(temp, bytes);
        };
    }

    private List<String> allFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void scans_installation_and_user_documents_and_leaves_everything_else_alone() throws Exception {
        write("installation.json", "{}");
        write("users/dr-a.json", "{\"a\":1}");
        write("logos/logo.json", "{}");
        write("logos/logo.png", "png");
        write("users/.dr-a.json.swp", "x");
        write("users/README.txt", "x");
        write("notes.json", "{}");
        write("users/sub/deeper.json", "{}");
        SettingsFolder.Snapshot s = folder().scan();
        assertEquals(Set.of(INSTALLATION, DR_A), s.files().keySet());
        assertTrue(s.unreadable().isEmpty());
        assertArrayEquals("{\"a\":1}".getBytes(UTF_8), s.files().get(DR_A));
    }

    @Test
    void a_symbolic_link_a_hard_link_a_fifo_or_an_oversized_file_is_reported_not_read() throws Exception {
        Files.createDirectories(root.resolve("users"));
        Files.createSymbolicLink(root.resolve("users/dr-a.json"), outside.resolve("agent.json"));
        Files.createLink(root.resolve("users/dr-b.json"), outside.resolve("dr-x.json"));
        Process mk = new ProcessBuilder("mkfifo", root.resolve("users/dr-c.json").toString()).start();
        assertEquals(0, mk.waitFor());
        write("installation.json", "{\"a\":\"" + "x".repeat(70_000) + "\"}");
        SettingsFolder.Snapshot s = folder().scan();
        assertTrue(s.files().isEmpty());
        assertTrue(s.unreadable().get(DR_A).contains("symbolic link"), s.unreadable().toString());
        assertTrue(s.unreadable().get(DR_B).contains("2 hard links"), s.unreadable().toString());
        assertTrue(s.unreadable().get(new DocumentName("users/dr-c.json")).contains("FIFO"), s.unreadable()
                .toString());
        assertTrue(s.unreadable().get(INSTALLATION).contains("at most 65536"));
        folder().scan();
        assertEquals(3, alarms.size(), "each refused once, not at every scan: " + alarms);
        Files.delete(root.resolve("users/dr-b.json"));
        assertOutsideUntouched();
    }

    @Test
    void a_link_in_place_of_the_users_folder_is_not_read_and_absence_means_nothing() throws Exception {
        Files.createSymbolicLink(root.resolve("users"), outside);
        SettingsFolder.Snapshot s = folder().scan();
        assertTrue(s.files().isEmpty());
        assertFalse(s.complete(), "documents behind it are not taken as deleted");
        assertEquals(1, alarms.size(), alarms.toString());
    }

    @Test
    void a_settings_folder_replaced_by_a_link_reads_nothing_and_takes_nothing_as_deleted() throws Exception {
        write("installation.json", "{}");
        SettingsFolder folder = folder();
        assertEquals(Set.of(INSTALLATION), folder.scan().files().keySet());
        Files.move(root, dir.resolve("settings-moved"));
        Files.createSymbolicLink(root, outside);
        SettingsFolder.Snapshot s = folder.scan();
        assertTrue(s.files().isEmpty());
        assertFalse(s.complete(), "not a deletion of every document");
        assertOutsideUntouched();
    }

    @Test
    void reads_at_most_256_documents_and_says_the_snapshot_is_incomplete() throws Exception {
        for (int i = 0; i < SettingsFolder.MAX_DOCUMENTS + 10; i++) {
            write("users/u" + i + ".json", "{}");
        }
        SettingsFolder.Snapshot s = folder().scan();
        assertEquals(SettingsFolder.MAX_DOCUMENTS, s.files().size());
        assertFalse(s.complete());
        Files.delete(root.resolve("users/u0.json"));
        assertFalse(folder().scan().complete());
        for (int i = 1; i < 11; i++) {
            Files.delete(root.resolve("users/u" + i + ".json"));
        }
        assertTrue(folder().scan().complete());
    }

    @Test
    void a_missing_folder_scans_as_empty() throws Exception {
        SettingsFolder.Snapshot s = folder(root.resolve("not-yet")).scan();
        assertTrue(s.files().isEmpty());
    }

    @Test
    void replaces_writes_and_deletes_as_one_set_and_leaves_no_temp_files() throws Exception {
        write("installation.json", "{\"old\":1}");
        write("users/dr-b.json", "{}");
        SettingsFolder folder = folder();
        folder.replace(Map.of(INSTALLATION, "{\"new\":1}".getBytes(UTF_8), DR_A, "{\"a\":1}".getBytes(UTF_8)),
                Set.of(DR_B));
        assertEquals("{\"new\":1}", Files.readString(root.resolve("installation.json")));
        assertEquals("{\"a\":1}", Files.readString(root.resolve("users/dr-a.json")));
        assertEquals(List.of("installation.json", "users/dr-a.json"), allFiles());
        assertFalse(Files.exists(state.resolve(SettingsFolder.MANIFEST)), "no manifest left");
    }

    @Test
    void a_failing_write_of_the_nth_file_leaves_the_old_set_and_no_temp_files() throws Exception {
        write("installation.json", "{\"old\":1}");
        write("users/dr-a.json", "{\"old\":2}");
        write("users/dr-b.json", "{\"old\":3}");
        for (int n = 1; n <= 3; n++) {
            SettingsFolder folder = new SettingsFolder(ConfinedFolder.of(root, "settings", guard), state,
                    failingOn(n));
            Map<DocumentName, byte[]> writes = new java.util.LinkedHashMap<>();
            writes.put(INSTALLATION, "{\"new\":1}".getBytes(UTF_8));
            writes.put(DR_A, "{\"new\":2}".getBytes(UTF_8));
            writes.put(new DocumentName("users/dr-c.json"), "{\"new\":4}".getBytes(UTF_8));
            IOException e = assertThrows(IOException.class, () -> folder.replace(writes, Set.of(DR_B)));
            assertTrue(e.getMessage().contains("No space"));
            assertEquals("{\"old\":1}", Files.readString(root.resolve("installation.json")), "failing write " + n);
            assertEquals("{\"old\":2}", Files.readString(root.resolve("users/dr-a.json")));
            assertEquals("{\"old\":3}", Files.readString(root.resolve("users/dr-b.json")));
            assertEquals(List.of("installation.json", "users/dr-a.json", "users/dr-b.json"), allFiles());
        }
    }

    @Test
    void a_commit_interrupted_after_its_manifest_is_completed_at_the_next_start() throws Exception {
        write("installation.json", "{\"old\":1}");
        write("users/dr-b.json", "{\"old\":3}");
        // what a power cut after the manifest leaves: one file renamed already, one temp waiting, one deletion due
        write("users/dr-a.json", "{\"new\":2}");
        write(TEMP_2, "{\"new\":0}");
        Files.writeString(state.resolve(SettingsFolder.MANIFEST), "{\"renames\":[{\"from\":\"" + TEMP_2
                + "\",\"to\":\"installation.json\"},{\"from\":\"users/" + TEMP_1 + "\",\"to\":\"users/dr-a.json\"}],"
                + "\"deletes\":[\"users/dr-b.json\"]}");
        write("users/.settings-99999999-9999-4999-8999-999999999999.tmp", "stray");
        write("users/.settings-notes.tmp", "not ours: left alone");
        folder().recover();
        assertEquals("{\"new\":0}", Files.readString(root.resolve("installation.json")));
        assertEquals("{\"new\":2}", Files.readString(root.resolve("users/dr-a.json")));
        assertEquals(List.of("installation.json", "users/.settings-notes.tmp", "users/dr-a.json"), allFiles());
        assertFalse(Files.exists(state.resolve(SettingsFolder.MANIFEST)));
        assertTrue(alarms.isEmpty(), alarms.toString());
    }

    @Test
    void a_manifest_planted_in_the_settings_folder_is_moved_aside_reported_and_never_carried_out()
            throws Exception {
        write("installation.json", "{\"keep\":1}");
        write(TEMP_1, "{\"planted\":1}");
        write(".settings-commit.json", "{\"renames\":[{\"from\":\"" + TEMP_1 + "\",\"to\":\"installation.json\"}],"
                + "\"deletes\":[]}");
        folder().recover();
        assertEquals("{\"keep\":1}", Files.readString(root.resolve("installation.json")));
        assertFalse(Files.exists(root.resolve(".settings-commit.json")));
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith(".settings-commit.json.refused-"))
                    .count(), "moved aside for service");
        }
        assertEquals(1, alarms.size(), alarms.toString());
        assertTrue(alarms.get(0).contains("not carried out"), alarms.get(0));
    }

    @Test
    void a_manifest_with_any_entry_outside_the_rules_is_refused_as_a_whole() throws Exception {
        String[] bad = {
            "{\"renames\":[{\"from\":\"../etc-callidus/x.tmp\",\"to\":\"installation.json\"}],\"deletes\":[]}",
            "{\"renames\":[],\"deletes\":[\"../etc-callidus/agent.json\"]}",
            "{\"renames\":[],\"deletes\":[\"/etc/passwd\"]}",
            "{\"renames\":[{\"from\":\"" + TEMP_1 + "\",\"to\":\"users/agent.json\"}],\"deletes\":[]}",
            "{\"renames\":[{\"from\":\"notes.json\",\"to\":\"installation.json\"}],\"deletes\":[]}",
            "{\"renames\":[{\"from\":\"" + TEMP_1 + "\",\"to\":\"installation.json\",\"mode\":1}],\"deletes\":[]}",
            "{\"renames\":[],\"deletes\":[\"users/dr-a.json\",\"users/dr-a.json\"]}",
            "{\"renames\":[],\"deletes\":[],\"run\":\"rm -rf /\"}",
            "not json at all",
        };
        for (String manifest : bad) {
            write("installation.json", "{\"keep\":1}");
            write("users/dr-a.json", "{\"keep\":2}");
            write(TEMP_1, "{\"planted\":1}");
            write("notes.json", "{\"planted\":2}");
            Files.writeString(state.resolve(SettingsFolder.MANIFEST), manifest);
            int alarmsBefore = alarms.size();
            folder().recover();
            assertEquals(alarmsBefore + 1, alarms.size(), "refused and reported: " + manifest);
            assertEquals("{\"keep\":1}", Files.readString(root.resolve("installation.json")), manifest);
            assertEquals("{\"keep\":2}", Files.readString(root.resolve("users/dr-a.json")), manifest);
            assertFalse(Files.exists(state.resolve(SettingsFolder.MANIFEST)), manifest);
            assertOutsideUntouched();
        }
        try (Stream<Path> s = Files.list(state)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith(SettingsFolder.MANIFEST + ".refused-")));
        }
        assertTrue(alarms.stream().allMatch(a -> a.contains("is damaged") && a.contains("not carried out")),
                alarms.toString());
    }

    @Test
    void links_planted_before_the_replay_of_a_real_manifest_are_never_followed() throws Exception {
        // a power cut left a genuine manifest; then the users folder and a temp file were replaced by links
        write("installation.json", "{\"old\":1}");
        Files.createSymbolicLink(root.resolve(TEMP_2), outside.resolve("agent.json"));
        Files.createSymbolicLink(root.resolve("users"), outside);
        Files.writeString(state.resolve(SettingsFolder.MANIFEST), "{\"renames\":[{\"from\":\"" + TEMP_2
                + "\",\"to\":\"installation.json\"},{\"from\":\"users/" + TEMP_1 + "\",\"to\":\"users/dr-x.json\"}],"
                + "\"deletes\":[\"users/dr-x.json\"]}");
        Files.writeString(outside.resolve(TEMP_1), "{\"planted\":1}");
        folder().recover();
        Files.delete(outside.resolve(TEMP_1));
        assertOutsideUntouched();
        assertEquals("{\"old\":1}", Files.readString(root.resolve("installation.json")));
        assertFalse(Files.exists(root.resolve(TEMP_2), LinkOption.NOFOLLOW_LINKS), "the planted link is removed");
        assertFalse(Files.exists(state.resolve(SettingsFolder.MANIFEST)));
        assertEquals(2, alarms.size(), "the temp link and the users link, once each: " + alarms);
    }

    @Test
    void refuses_to_write_through_a_symbolic_link_as_users_folder() throws Exception {
        Files.createSymbolicLink(root.resolve("users"), outside);
        SettingsFolder folder = folder();
        assertThrows(IOException.class, () -> folder.replace(Map.of(DR_A, "{}".getBytes(UTF_8)), Set.of()));
        assertThrows(IOException.class, () -> folder.replace(Map.of(INSTALLATION, "{}".getBytes(UTF_8)),
                Set.of(new DocumentName("users/dr-x.json"))));
        assertOutsideUntouched();
        assertFalse(Files.exists(root.resolve("installation.json")), "all or nothing");
        assertTrue(folder.scan().files().isEmpty());
    }
}
