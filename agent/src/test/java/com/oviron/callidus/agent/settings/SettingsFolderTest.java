package com.oviron.callidus.agent.settings;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsFolderTest {
    @TempDir
    Path root;

    static final DocumentName INSTALLATION = new DocumentName("installation.json");
    static final DocumentName DR_A = new DocumentName("users/dr-a.json");
    static final DocumentName DR_B = new DocumentName("users/dr-b.json");

    private void write(String relative, String text) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    /** Makes the {@code failOn}-th temp write fail, as a full disk would. */
    static SettingsFolder.TempWriter failingOn(int failOn) {
        AtomicInteger count = new AtomicInteger();
        return (temp, bytes) -> {
            if (count.incrementAndGet() == failOn) {
                Files.write(temp, new byte[] {'{'}); // half written
                throw new IOException("No space left on device");
            }
            AtomicFiles.writeAndSync(temp, bytes);
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
        SettingsFolder.Snapshot s = new SettingsFolder(root).scan();
        assertEquals(Set.of(INSTALLATION, DR_A), s.files().keySet());
        assertTrue(s.unreadable().isEmpty());
        assertArrayEquals("{\"a\":1}".getBytes(UTF_8), s.files().get(DR_A));
    }

    @Test
    void a_symbolic_link_or_an_oversized_file_is_reported_not_read() throws Exception {
        Path secret = Files.writeString(root.resolveSibling(root.getFileName() + "-secret.txt"), "{\"pin\":1234}");
        Files.createDirectories(root.resolve("users"));
        Files.createSymbolicLink(root.resolve("users/dr-a.json"), secret);
        write("installation.json", "{\"a\":\"" + "x".repeat(70_000) + "\"}");
        SettingsFolder.Snapshot s = new SettingsFolder(root).scan();
        assertTrue(s.files().isEmpty());
        assertTrue(s.unreadable().get(DR_A).contains("symbolic link"));
        assertTrue(s.unreadable().get(INSTALLATION).contains("at most 65536"));
        Files.delete(secret);
    }

    @Test
    void reads_at_most_256_documents_and_says_the_snapshot_is_incomplete() throws Exception {
        for (int i = 0; i < SettingsFolder.MAX_DOCUMENTS + 10; i++) {
            write("users/u" + i + ".json", "{}");
        }
        SettingsFolder.Snapshot s = new SettingsFolder(root).scan();
        assertEquals(SettingsFolder.MAX_DOCUMENTS, s.files().size());
        assertFalse(s.complete());
        Files.delete(root.resolve("users/u0.json"));
        assertFalse(new SettingsFolder(root).scan().complete());
        for (int i = 1; i < 11; i++) {
            Files.delete(root.resolve("users/u" + i + ".json"));
        }
        assertTrue(new SettingsFolder(root).scan().complete());
    }

    @Test
    void a_missing_folder_scans_as_empty() throws Exception {
        SettingsFolder.Snapshot s = new SettingsFolder(root.resolve("not-yet")).scan();
        assertTrue(s.files().isEmpty());
    }

    @Test
    void replaces_writes_and_deletes_as_one_set_and_leaves_no_temp_files() throws Exception {
        write("installation.json", "{\"old\":1}");
        write("users/dr-b.json", "{}");
        SettingsFolder folder = new SettingsFolder(root);
        folder.replace(Map.of(INSTALLATION, "{\"new\":1}".getBytes(UTF_8), DR_A, "{\"a\":1}".getBytes(UTF_8)),
                Set.of(DR_B));
        assertEquals("{\"new\":1}", Files.readString(root.resolve("installation.json")));
        assertEquals("{\"a\":1}", Files.readString(root.resolve("users/dr-a.json")));
        assertEquals(List.of("installation.json", "users/dr-a.json"), allFiles());
    }

    @Test
    void a_failing_write_of_the_nth_file_leaves_the_old_set_and_no_temp_files() throws Exception {
        write("installation.json", "{\"old\":1}");
        write("users/dr-a.json", "{\"old\":2}");
        write("users/dr-b.json", "{\"old\":3}");
        for (int n = 1; n <= 3; n++) {
            SettingsFolder folder = new SettingsFolder(root, failingOn(n));
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
        write("users/.settings-1111.tmp", "{\"new\":1}");
        write(".settings-2222.tmp", "{\"new\":0}");
        write(SettingsFolder.MANIFEST, "{\"renames\":[{\"from\":\".settings-2222.tmp\",\"to\":\"installation.json\"},"
                + "{\"from\":\"users/.settings-0000.tmp\",\"to\":\"users/dr-a.json\"}],\"deletes\":[\"users/dr-b.json\"]}");
        write("users/.settings-9999.tmp", "stray");
        new SettingsFolder(root).recover();
        assertEquals("{\"new\":0}", Files.readString(root.resolve("installation.json")));
        assertEquals("{\"new\":2}", Files.readString(root.resolve("users/dr-a.json")));
        assertEquals(List.of("installation.json", "users/dr-a.json"), allFiles());
    }

    @Test
    void a_manifest_pointing_outside_the_folder_is_ignored() throws Exception {
        Path outside = root.resolveSibling(root.getFileName() + "-victim.json");
        Files.writeString(outside, "keep");
        write(SettingsFolder.MANIFEST, "{\"renames\":[{\"from\":\"../" + outside.getFileName()
                + "\",\"to\":\"installation.json\"}],\"deletes\":[\"../" + outside.getFileName() + "\"]}");
        new SettingsFolder(root).recover();
        assertEquals("keep", Files.readString(outside));
        assertFalse(Files.exists(root.resolve("installation.json")));
        assertFalse(Files.exists(root.resolve(SettingsFolder.MANIFEST)));
        Files.delete(outside);
    }

    @Test
    void refuses_to_write_through_a_symbolic_link_as_users_folder() throws Exception {
        Path elsewhere = Files.createDirectories(root.resolveSibling(root.getFileName() + "-elsewhere"));
        Files.createSymbolicLink(root.resolve("users"), elsewhere);
        SettingsFolder folder = new SettingsFolder(root);
        assertThrows(IOException.class, () -> folder.replace(Map.of(DR_A, "{}".getBytes(UTF_8)), Set.of()));
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals(0, s.count());
        }
        assertTrue(folder.scan().files().isEmpty());
    }
}
