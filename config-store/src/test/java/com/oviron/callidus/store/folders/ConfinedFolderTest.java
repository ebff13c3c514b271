package com.oviron.callidus.store.folders;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfinedFolderTest {
    @TempDir
    Path dir;

    private Path shared;
    private Path outside;
    private byte[] secret;
    private final List<String> alarms = new ArrayList<>();
    private FolderGuard guard;
    private ConfinedFolder folder;

    @BeforeEach
    void setUp() throws IOException {
        shared = Files.createDirectories(dir.resolve("shared"));
        outside = Files.createDirectories(dir.resolve("outside"));
        secret = "the x-ray vault key".getBytes(UTF_8);
        Files.write(outside.resolve("secret.key"), secret);
        guard = new FolderGuard(alarms::add, Duration.ofMillis(500));
        folder = ConfinedFolder.of(shared, "test", guard);
    }

    @AfterEach
    void tearDown() {
        guard.close();
    }

    static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo " + p);
    }

    private void assertOutsideUntouched() throws IOException {
        assertArrayEquals(secret, Files.readAllBytes(outside.resolve("secret.key")));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("secret.key")), s.toList());
        }
    }

    @Test
    void reads_a_plain_file_and_lists_entries_as_they_are() throws Exception {
        Files.writeString(shared.resolve("a.json"), "{}");
        Files.createDirectories(shared.resolve("users"));
        Files.createSymbolicLink(shared.resolve("link"), outside.resolve("secret.key"));
        assertArrayEquals("{}".getBytes(UTF_8), folder.read("a.json", 100));
        List<ConfinedFolder.Entry> entries = folder.list("", 10);
        assertEquals(3, entries.size());
        assertEquals(ConfinedFolder.Type.LINK, entries.stream().filter(e -> e.name().equals("link")).findFirst()
                .orElseThrow().type());
        assertEquals(ConfinedFolder.Type.FOLDER, folder.entry("users").orElseThrow().type());
        assertEquals(Optional.empty(), folder.entry("users/none.json"));
        assertEquals(Optional.empty(), folder.entry("none/none.json"));
        assertTrue(alarms.isEmpty(), "listing and looking are no refusals");
    }

    @Test
    void a_symbolic_link_as_the_entry_is_refused_and_its_target_never_read() throws Exception {
        Files.createSymbolicLink(shared.resolve("logo.png"), outside.resolve("secret.key"));
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> folder.read("logo.png", 1000));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("logo.png", e.entry());
        assertOutsideUntouched();
    }

    @Test
    void a_symbolic_link_in_place_of_a_sub_folder_is_refused_for_every_operation() throws Exception {
        Files.write(outside.resolve("dr-a.json"), "{\"pin\":1}".getBytes(UTF_8));
        Files.createSymbolicLink(shared.resolve("users"), outside);
        Files.writeString(shared.resolve(".tmp"), "{}");
        assertThrows(UnsafeEntryException.class, () -> folder.read("users/dr-a.json", 1000));
        assertThrows(UnsafeEntryException.class, () -> folder.list("users", 10));
        assertThrows(UnsafeEntryException.class, () -> folder.entry("users/dr-a.json"));
        assertThrows(UnsafeEntryException.class, () -> folder.delete("users/dr-a.json"));
        assertThrows(UnsafeEntryException.class, () -> folder.delete("users/secret.key"));
        assertThrows(UnsafeEntryException.class, () -> folder.move(".tmp", "users/secret.key"));
        assertThrows(UnsafeEntryException.class, () -> folder.writeNew("users/new.json", "{}".getBytes(UTF_8)));
        assertThrows(UnsafeEntryException.class, () -> folder.createFolders("users/sub"));
        assertThrows(UnsafeEntryException.class, () -> folder.sync("users"));
        assertArrayEquals("{\"pin\":1}".getBytes(UTF_8), Files.readAllBytes(outside.resolve("dr-a.json")));
        Files.delete(outside.resolve("dr-a.json"));
        assertOutsideUntouched();
        assertEquals(1, alarms.size(), "one refusal, reported once: " + alarms);
        assertTrue(alarms.get(0).contains("'users' refused: a symbolic link in place of a folder"), alarms.get(0));
    }

    @Test
    void names_that_could_leave_the_folder_are_refused() throws Exception {
        Files.writeString(dir.resolve("victim.txt"), "keep");
        for (String bad : List.of("../victim.txt", "/etc/passwd", "a/../../victim.txt", "a//b", ".", "", "a/./b")) {
            assertThrows(UnsafeEntryException.class, () -> folder.read(bad, 100), bad);
            assertThrows(UnsafeEntryException.class, () -> folder.delete(bad), bad);
        }
        assertEquals("keep", Files.readString(dir.resolve("victim.txt")));
    }

    @Test
    void a_fifo_is_refused_without_blocking() throws Exception {
        mkfifo(shared.resolve("scan.dcm"));
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> folder.read("scan.dcm", 100));
        assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
        assertEquals(0, guard.hanging());
    }

    @Test
    void a_file_with_a_second_hard_link_is_refused() throws Exception {
        Files.createLink(shared.resolve("scan.png"), outside.resolve("secret.key"));
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> folder.read("scan.png", 1000));
        assertTrue(e.getMessage().contains("2 hard links"), e.getMessage());
        Files.delete(shared.resolve("scan.png"));
        assertOutsideUntouched();
    }

    @Test
    void a_file_over_the_limit_is_refused_without_an_alarm() throws Exception {
        Files.write(shared.resolve("big.json"), new byte[101]);
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> folder.read("big.json", 100));
        assertTrue(e.getMessage().contains("101 bytes"), e.getMessage());
        assertTrue(alarms.isEmpty());
    }

    @Test
    void an_open_that_hangs_on_a_fifo_is_given_up_at_the_deadline_and_closed_when_it_returns() throws Exception {
        Path fifo = shared.resolve("pipe");
        mkfifo(fifo);
        long start = System.nanoTime();
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> guard.open(
                () -> Files.newByteChannel(fifo), "test", "/x", "pipe"));
        assertTrue(e.getMessage().contains("did not open within 500 ms"), e.getMessage());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(500).toNanos());
        assertEquals(1, guard.hanging());
        // a writer releases the hanging open, whose channel is then closed
        Files.newOutputStream(fifo).close();
        waitUntil(() -> guard.hanging() == 0);
    }

    @Test
    void opens_are_refused_at_once_while_the_most_hang() throws Exception {
        Path fifo = shared.resolve("pipe");
        mkfifo(fifo);
        for (int i = 0; i < FolderGuard.MAX_OPENERS; i++) {
            assertThrows(UnsafeEntryException.class, () -> guard.open(() -> Files.newByteChannel(fifo), "test",
                    "/x", "pipe"));
        }
        Files.writeString(shared.resolve("a.json"), "{}");
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> folder.read("a.json", 100));
        assertTrue(e.getMessage().contains("hang"), e.getMessage());
        // one writer releases every open waiting on the FIFO
        Files.newOutputStream(fifo).close();
        waitUntil(() -> guard.hanging() == 0);
        waitUntil(() -> {
            try {
                return folder.read("a.json", 100).length == 2;
            } catch (IOException again) {
                return false;
            }
        });
    }

    @Test
    void the_folder_replaced_by_a_link_after_first_use_is_refused_and_nothing_goes_through_it() throws Exception {
        Files.writeString(shared.resolve("a.json"), "{}");
        assertArrayEquals("{}".getBytes(UTF_8), folder.read("a.json", 100));
        Files.move(shared, dir.resolve("moved-away"));
        Files.createSymbolicLink(shared, outside);
        UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> folder.writeNew("new.txt",
                "x".getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("the folder itself is now a symbolic link"), e.getMessage());
        assertThrows(UnsafeEntryException.class, () -> folder.delete("secret.key"));
        assertThrows(UnsafeEntryException.class, () -> folder.read("secret.key", 1000));
        assertOutsideUntouched();
    }

    @Test
    void a_configured_path_through_a_link_of_root_or_the_agent_is_followed_once() throws Exception {
        Path link = dir.resolve("shared-link");
        Files.createSymbolicLink(link, shared);
        Files.writeString(shared.resolve("a.json"), "{}");
        ConfinedFolder viaLink = ConfinedFolder.of(link, "test", guard);
        assertEquals(shared.toRealPath(), viaLink.root());
        assertArrayEquals("{}".getBytes(UTF_8), viaLink.read("a.json", 100));
        // the link now points elsewhere: the folder stays the one resolved first
        Files.delete(link);
        Files.createSymbolicLink(link, outside);
        assertEquals(Optional.empty(), viaLink.entry("secret.key"));
        assertTrue(viaLink.entry("a.json").isPresent());
    }

    @Test
    void a_configured_path_through_a_link_of_another_user_is_refused() throws Exception {
        Path link = dir.resolve("shared-link");
        Files.createSymbolicLink(link, outside);
        UserPrincipal nobody = link.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.getFileAttributeView(link, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
        ConfinedFolder viaLink = ConfinedFolder.of(link, "test", guard);
        ConfinedFolder deeper = ConfinedFolder.of(link.resolve("sub"), "test", guard);
        for (ConfinedFolder f : List.of(viaLink, deeper)) {
            UnsafeEntryException e = assertThrows(UnsafeEntryException.class, () -> f.read("secret.key", 100));
            assertTrue(e.getMessage().contains("symbolic link " + link), e.getMessage());
        }
        assertThrows(UnsafeEntryException.class, deeper::create);
        assertFalse(Files.exists(outside.resolve("sub")), "nothing made through the link");
        assertOutsideUntouched();
    }

    @Test
    void new_files_are_created_exclusively_never_through_an_existing_link() throws Exception {
        Files.createSymbolicLink(shared.resolve(".logo.png.tmp"), outside.resolve("secret.key"));
        assertThrows(FileAlreadyExistsException.class, () -> folder.writeNew(".logo.png.tmp",
                "new".getBytes(UTF_8)));
        folder.writeNew(".key.tmp", new java.io.ByteArrayInputStream("k".getBytes(UTF_8)),
                Optional.of(PosixFilePermissions.fromString("rw-------")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                shared.resolve(".key.tmp"))));
        assertOutsideUntouched();
    }

    @Test
    void a_rename_replaces_a_link_at_the_target_not_what_it_points_to() throws Exception {
        Files.createSymbolicLink(shared.resolve("installation.json"), outside.resolve("secret.key"));
        folder.writeNew(".settings-1.tmp", "{\"new\":1}".getBytes(UTF_8));
        folder.move(".settings-1.tmp", "installation.json");
        assertFalse(Files.isSymbolicLink(shared.resolve("installation.json")));
        assertEquals("{\"new\":1}", Files.readString(shared.resolve("installation.json")));
        assertOutsideUntouched();
    }

    @Test
    void a_rename_of_a_link_or_a_folder_is_refused() throws Exception {
        Files.createSymbolicLink(shared.resolve(".settings-1.tmp"), outside.resolve("secret.key"));
        assertThrows(UnsafeEntryException.class, () -> folder.move(".settings-1.tmp", "installation.json"));
        assertFalse(Files.exists(shared.resolve("installation.json"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void a_delete_removes_a_link_itself_and_refuses_a_folder() throws Exception {
        Files.createSymbolicLink(shared.resolve("old.json"), outside.resolve("secret.key"));
        Files.createDirectories(shared.resolve("users"));
        assertTrue(folder.delete("old.json"));
        assertFalse(folder.delete("old.json"));
        assertThrows(UnsafeEntryException.class, () -> folder.delete("users"));
        assertTrue(Files.isDirectory(shared.resolve("users")));
        assertOutsideUntouched();
    }

    @Test
    void creates_sub_folders_and_sets_time_stamps_of_plain_files_only() throws Exception {
        folder.createFolders("users/deeper");
        assertTrue(Files.isDirectory(shared.resolve("users/deeper"), LinkOption.NOFOLLOW_LINKS));
        folder.writeNew("users/a.json", "{}".getBytes(UTF_8));
        FileTime t = FileTime.fromMillis(1_700_000_000_000L);
        folder.setModified("users/a.json", t);
        assertEquals(t, Files.getLastModifiedTime(shared.resolve("users/a.json")));
        Files.createSymbolicLink(shared.resolve("users/link"), outside.resolve("secret.key"));
        FileTime before = Files.getLastModifiedTime(outside.resolve("secret.key"));
        assertThrows(UnsafeEntryException.class, () -> folder.setModified("users/link", t));
        assertEquals(before, Files.getLastModifiedTime(outside.resolve("secret.key")));
        folder.sync("users");
    }

    @Test
    void a_missing_folder_is_missing_not_refused() throws Exception {
        ConfinedFolder later = ConfinedFolder.of(dir.resolve("later"), "test", guard);
        assertFalse(later.exists());
        assertThrows(NoSuchFileException.class, () -> later.list("", 10));
        assertEquals(Optional.empty(), later.entry("a.json"));
        later.create();
        assertTrue(later.exists());
        assertEquals(0, later.list("", 10).size());
        assertTrue(alarms.isEmpty());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 30 s");
            Thread.sleep(5);
        }
    }
}
