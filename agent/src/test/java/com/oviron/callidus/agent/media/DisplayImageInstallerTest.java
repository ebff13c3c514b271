package com.oviron.callidus.agent.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileRejectedException;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisplayImageInstallerTest {
    @TempDir
    Path tmp;
    Path display;
    Path incoming;
    ManualClock clock = new ManualClock();
    DisplaySettings settings;
    final List<String> alarms = new CopyOnWriteArrayList<>();
    final FolderGuard guard = new FolderGuard(alarms::add);

    @BeforeEach
    void setUp() throws IOException {
        display = tmp.resolve("display");
        incoming = Files.createDirectories(tmp.resolve("incoming"));
        settings = new DisplaySettings(display, tmp.resolve("state"), new DisplaySpec(64, 40,
                EnumSet.of(ImageFormat.PNG, ImageFormat.JPEG), 256 * 1024));
    }

    private DisplayImageInstaller installer() throws IOException {
        return new DisplayImageInstaller(settings, clock, guard);
    }

    private Path file(String name, byte[] content) {
        return TestImages.write(incoming, name, content);
    }

    private String refusal(FileKind kind, byte[] content) throws IOException {
        DisplayImageInstaller installer = installer();
        FileRejectedException e = assertThrows(FileRejectedException.class,
                () -> installer.accept(kind, "x.png", file("x.png", content)));
        assertFalse(Files.exists(installer.currentFile(kind)), "nothing installed after: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void installs_a_screensaver_of_the_display_size_where_the_ui_reads_it() throws Exception {
        byte[] png = TestImages.png(64, 40);
        DisplayImageInstaller installer = installer();
        installer.accept(FileKind.SCREENSAVER, "beach.png", file("beach.png", png));

        assertArrayEquals(png, Files.readAllBytes(display.resolve("screensaver.png")));
        InstalledImage now = installer.installed(FileKind.SCREENSAVER).orElseThrow();
        assertEquals("beach.png", now.name());
        assertEquals(64, now.width());
        assertEquals(40, now.height());
        assertEquals(png.length, now.size());
        assertEquals(ImageFormat.PNG, now.format());
        assertEquals(clock.instant(), now.installedAt());
        assertTrue(installer.previous(FileKind.SCREENSAVER).isEmpty());
        try (Stream<Path> files = Files.list(display)) {
            assertEquals(List.of("screensaver.png"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void installs_a_jpeg_logo_smaller_than_the_display() throws Exception {
        byte[] jpeg = TestImages.jpeg(32, 20);
        DisplayImageInstaller installer = installer();
        installer.accept(FileKind.LOGO, "logo.jpg", file("logo.jpg", jpeg));
        InstalledImage now = installer.installed(FileKind.LOGO).orElseThrow();
        assertEquals(ImageFormat.JPEG, now.format());
        assertEquals(32, now.width());
        assertArrayEquals(jpeg, Files.readAllBytes(display.resolve("logo.png")));
    }

    @Test
    void refuses_a_screensaver_of_another_size() throws Exception {
        assertEquals("wrong dimensions: a screen saver must be exactly 64x40, got 63x40",
                refusal(FileKind.SCREENSAVER, TestImages.png(63, 40)));
    }

    @Test
    void refuses_a_logo_larger_than_the_display() throws Exception {
        assertEquals("wrong dimensions: a logo must fit within 64x40, got 64x41",
                refusal(FileKind.LOGO, TestImages.png(64, 41)));
    }

    @Test
    void refuses_a_gif_named_png_by_its_real_format() throws Exception {
        assertEquals("format gif is not accepted by the display (accepted: jpeg, png)",
                refusal(FileKind.LOGO, TestImages.gif(10, 10)));
        assertEquals("format bmp is not accepted by the display (accepted: jpeg, png)",
                refusal(FileKind.LOGO, TestImages.bmp(10, 10)));
    }

    @Test
    void refuses_a_jpeg_named_png_when_only_png_is_accepted() throws Exception {
        settings = new DisplaySettings(display, tmp.resolve("state"), new DisplaySpec(64, 40,
                EnumSet.of(ImageFormat.PNG), 256 * 1024));
        assertEquals("format jpeg is not accepted by the display (accepted: png)",
                refusal(FileKind.LOGO, TestImages.jpeg(10, 10)));
    }

    @Test
    void refuses_bytes_that_are_no_image() throws Exception {
        assertEquals("not an image format the unit knows (accepted: jpeg, png)",
                refusal(FileKind.LOGO, "<html>not a logo</html>".getBytes()));
    }

    @Test
    void refuses_an_empty_file_and_one_over_the_size_limit() throws Exception {
        assertEquals("empty file", refusal(FileKind.LOGO, new byte[0]));
        assertEquals("too large: 262145 bytes, the display accepts at most 262144",
                refusal(FileKind.LOGO, new byte[256 * 1024 + 1]));
    }

    @Test
    void refuses_a_truncated_png() throws Exception {
        byte[] png = TestImages.png(64, 40);
        String reason = refusal(FileKind.SCREENSAVER, TestImages.truncated(png, png.length / 2));
        assertTrue(reason.startsWith("truncated png: chunk IDAT declares"), reason);
        assertEquals("truncated png: ends without an IEND chunk",
                refusal(FileKind.SCREENSAVER, TestImages.truncated(png, png.length - 12)));
    }

    @Test
    void refuses_a_png_with_a_damaged_byte() throws Exception {
        byte[] png = TestImages.png(64, 40);
        png[png.length / 2] ^= 0x40;
        assertEquals("corrupt png: CRC of chunk IDAT does not match", refusal(FileKind.SCREENSAVER, png));
    }

    @Test
    void refuses_a_truncated_jpeg() throws Exception {
        byte[] jpeg = TestImages.jpeg(64, 40);
        String reason = refusal(FileKind.SCREENSAVER, TestImages.truncated(jpeg, jpeg.length * 2 / 3));
        assertTrue(reason.startsWith("corrupt or truncated jpeg: "), reason);
    }

    @Test
    void refuses_a_png_that_does_not_start_with_its_header_chunk() throws Exception {
        byte[] png = TestImages.png(64, 40);
        png[12] = 'i'; // IHDR -> iHDR
        assertEquals("corrupt png: the first chunk is not a 13-byte IHDR", refusal(FileKind.SCREENSAVER, png));
    }

    @Test
    void refuses_a_png_with_bytes_after_its_end() throws Exception {
        byte[] png = TestImages.png(64, 40);
        byte[] longer = java.util.Arrays.copyOf(png, png.length + 3);
        assertEquals("corrupt png: 3 bytes after the IEND chunk", refusal(FileKind.SCREENSAVER, longer));
    }

    @Test
    void refuses_a_png_declaring_a_huge_size_without_decoding_it() throws Exception {
        // 2^31-1 square would need exabytes; refused from the header alone
        assertEquals("wrong dimensions: a logo must fit within 64x40, got 2147483647x2147483647",
                refusal(FileKind.LOGO, TestImages.pngBomb(Integer.MAX_VALUE, Integer.MAX_VALUE)));
        assertEquals("wrong dimensions: a screen saver must be exactly 64x40, got 60000x60000",
                refusal(FileKind.SCREENSAVER, TestImages.pngBomb(60000, 60000)));
    }

    @Test
    void refuses_a_jpeg_declaring_a_huge_size_without_decoding_it() throws Exception {
        assertEquals("wrong dimensions: a logo must fit within 64x40, got 65000x65000",
                refusal(FileKind.LOGO, TestImages.jpegBomb(65000, 65000)));
    }

    @Test
    void refuses_kinds_that_are_not_display_images() throws Exception {
        DisplayImageInstaller installer = installer();
        FileRejectedException e = assertThrows(FileRejectedException.class,
                () -> installer.accept(FileKind.XRAY, "a.png", file("a.png", TestImages.png(8, 8))));
        assertEquals("the display installer takes logo and screensaver files, not xray", e.getMessage());
    }

    @Test
    void a_refused_image_leaves_the_installed_one_in_place() throws Exception {
        byte[] good = TestImages.png(64, 40);
        DisplayImageInstaller installer = installer();
        installer.accept(FileKind.SCREENSAVER, "good.png", file("good.png", good));
        assertThrows(FileRejectedException.class,
                () -> installer.accept(FileKind.SCREENSAVER, "bad.png", file("bad.png", TestImages.png(10, 10))));
        assertArrayEquals(good, Files.readAllBytes(installer.currentFile(FileKind.SCREENSAVER)));
        assertTrue(installer.previous(FileKind.SCREENSAVER).isEmpty());
    }

    @Test
    void keeps_the_replaced_image_and_rolls_back_to_it_and_forth_again() throws Exception {
        byte[] first = TestImages.png(30, 20, 1);
        byte[] second = TestImages.png(30, 20, 2);
        DisplayImageInstaller installer = installer();
        installer.accept(FileKind.LOGO, "first.png", file("first.png", first));
        clock.advance(Duration.ofHours(1));
        installer.accept(FileKind.LOGO, "second.png", file("second.png", second));

        assertArrayEquals(second, Files.readAllBytes(installer.currentFile(FileKind.LOGO)));
        assertArrayEquals(first, Files.readAllBytes(installer.previousFile(FileKind.LOGO)));
        assertEquals("first.png", installer.previous(FileKind.LOGO).orElseThrow().name());

        InstalledImage back = installer.rollback(FileKind.LOGO);
        assertEquals("first.png", back.name());
        assertEquals(clock.instant().minus(Duration.ofHours(1)), back.installedAt());
        assertArrayEquals(first, Files.readAllBytes(installer.currentFile(FileKind.LOGO)));
        assertArrayEquals(second, Files.readAllBytes(installer.previousFile(FileKind.LOGO)));

        installer.rollback(FileKind.LOGO);
        assertArrayEquals(second, Files.readAllBytes(installer.currentFile(FileKind.LOGO)));
        assertEquals("second.png", installer.installed(FileKind.LOGO).orElseThrow().name());
    }

    @Test
    void rollback_without_a_previous_image_is_refused_and_changes_nothing() throws Exception {
        DisplayImageInstaller installer = installer();
        NoPreviousImageException none = assertThrows(NoPreviousImageException.class,
                () -> installer.rollback(FileKind.SCREENSAVER));
        assertEquals("there is no previous screensaver to roll back to", none.getMessage());
        installer.accept(FileKind.SCREENSAVER, "s.png", file("s.png", TestImages.png(64, 40)));
        assertThrows(NoPreviousImageException.class, () -> installer.rollback(FileKind.SCREENSAVER));
        assertTrue(installer.installed(FileKind.SCREENSAVER).isPresent());
    }

    /** A file outside the display folder that a link or hard link in it points at. */
    private Path secret() throws IOException {
        return Files.write(tmp.resolve("xray.key"), "the vault key, 32 bytes long....".getBytes());
    }

    private void assertSecretUntouched(Path secret) throws IOException {
        assertArrayEquals("the vault key, 32 bytes long....".getBytes(), Files.readAllBytes(secret));
        try (Stream<Path> all = Files.walk(tmp.resolve("display"))) {
            assertTrue(all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).noneMatch(p -> {
                try {
                    return java.util.Arrays.equals(Files.readAllBytes(p), Files.readAllBytes(secret))
                            && Files.readAttributes(p, "unix:nlink").get("nlink").equals(1);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), "no copy of the secret in the display folder");
        }
    }

    @Test
    void a_current_image_that_is_a_link_is_replaced_by_an_install_never_copied_to_the_previous_one()
            throws Exception {
        Path secret = secret();
        Files.createDirectories(display);
        Files.createSymbolicLink(display.resolve("logo.png"), secret);
        DisplayImageInstaller installer = installer();
        assertTrue(installer.installed(FileKind.LOGO).isEmpty(), "a link is no installed image");
        byte[] logo = TestImages.png(30, 20, 1);
        installer.accept(FileKind.LOGO, "clinic.png", file("clinic.png", logo));
        assertFalse(Files.isSymbolicLink(display.resolve("logo.png")));
        assertArrayEquals(logo, Files.readAllBytes(display.resolve("logo.png")));
        assertFalse(Files.exists(display.resolve("logo.previous.png"), LinkOption.NOFOLLOW_LINKS));
        assertSecretUntouched(secret);
        assertEquals(1, alarms.size(), alarms.toString());
        assertTrue(alarms.get(0).contains("'logo.png' refused: is a symbolic link"), alarms.get(0));
    }

    @Test
    void a_previous_image_that_is_a_link_or_a_hard_link_is_never_rolled_back_to() throws Exception {
        Path secret = secret();
        DisplayImageInstaller installer = installer();
        byte[] logo = TestImages.png(30, 20, 1);
        installer.accept(FileKind.LOGO, "clinic.png", file("clinic.png", logo));
        Files.createSymbolicLink(display.resolve("logo.previous.png"), secret);
        NoPreviousImageException e = assertThrows(NoPreviousImageException.class,
                () -> installer.rollback(FileKind.LOGO));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(installer.previous(FileKind.LOGO).isEmpty());
        Files.delete(display.resolve("logo.previous.png"));
        Files.createLink(display.resolve("logo.previous.png"), secret);
        e = assertThrows(NoPreviousImageException.class, () -> installer.rollback(FileKind.LOGO));
        assertTrue(e.getMessage().contains("2 hard links"), e.getMessage());
        assertArrayEquals(logo, Files.readAllBytes(display.resolve("logo.png")));
        Files.delete(display.resolve("logo.previous.png"));
        assertSecretUntouched(secret);
    }

    @Test
    void a_link_in_place_of_a_temp_file_at_start_up_is_removed_not_renamed_into_place() throws Exception {
        Path secret = secret();
        Files.createDirectories(display);
        Files.createSymbolicLink(display.resolve(".logo.previous.png.tmp"), secret);
        installer();
        assertFalse(Files.exists(display.resolve(".logo.previous.png.tmp"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(display.resolve("logo.previous.png"), LinkOption.NOFOLLOW_LINKS));
        assertSecretUntouched(secret);
    }

    @Test
    void a_display_folder_replaced_by_a_link_is_refused_and_nothing_is_written_where_it_points() throws Exception {
        DisplayImageInstaller installer = installer();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.move(display, tmp.resolve("display-moved"));
        Files.createSymbolicLink(display, elsewhere);
        FileRejectedException e = assertThrows(FileRejectedException.class, () -> installer.accept(FileKind.LOGO,
                "clinic.png", file("clinic.png", TestImages.png(30, 20, 1))));
        assertTrue(e.getMessage().contains("the folder itself is now a symbolic link"), e.getMessage());
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void keeps_notes_only_for_images_still_on_the_display() throws Exception {
        DisplayImageInstaller installer = installer();
        for (int i = 0; i < 5; i++) {
            installer.accept(FileKind.LOGO, "l" + i + ".png", file("l" + i + ".png", TestImages.png(20, 20, i)));
        }
        try (Stream<Path> notes = Files.list(tmp.resolve("state/display-meta"))) {
            assertEquals(2, notes.count());
        }
    }

    @Test
    void describes_an_image_placed_by_hand_from_the_file_itself() throws Exception {
        Files.createDirectories(display);
        Files.write(display.resolve("logo.png"), TestImages.png(12, 9));
        InstalledImage i = installer().installed(FileKind.LOGO).orElseThrow();
        assertEquals("logo.png", i.name());
        assertEquals(12, i.width());
        assertEquals(9, i.height());
    }

    @Test
    void installs_only_the_bytes_that_were_checked() throws Exception {
        byte[] old = TestImages.png(30, 20, 1);
        installer().accept(FileKind.LOGO, "old.png", file("old.png", old));
        // the file changes between the checks and the copy: here the copy step sees other bytes
        DurableFiles changing = new DurableFiles() {
            @Override
            public void writeNew(ConfinedFolder folder, String target, java.io.InputStream content)
                    throws IOException {
                byte[] b = content.readAllBytes();
                if (target.equals(".logo.png.tmp")) {
                    b[b.length - 20] ^= 1;
                }
                LOCAL.writeNew(folder, target, new java.io.ByteArrayInputStream(b));
            }

            @Override
            public void rename(ConfinedFolder folder, String source, String target) throws IOException {
                LOCAL.rename(folder, source, target);
            }

            @Override
            public void syncFolder(ConfinedFolder folder) throws IOException {
                LOCAL.syncFolder(folder);
            }

            @Override
            public void deleteIfExists(ConfinedFolder folder, String file) throws IOException {
                LOCAL.deleteIfExists(folder, file);
            }
        };
        DisplayImageInstaller installer = new DisplayImageInstaller(settings, clock, guard, changing);
        FileRejectedException e = assertThrows(FileRejectedException.class,
                () -> installer.accept(FileKind.LOGO, "new.png", file("new.png", TestImages.png(30, 20, 2))));
        assertEquals("the unit could not install it: the file changed after it was checked", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(installer.currentFile(FileKind.LOGO)));
        assertFalse(Files.exists(display.resolve(".logo.png.tmp")));
    }

    /**
     * Stops an install at every step in turn (a disk error, and a crash that skips the rest), then starts
     * again as the agent would after a restart: the UI's file is always the old or the new image, whole;
     * before the commit rename nothing changed; no temp file survives the restart.
     */
    @Test
    void an_install_stopped_at_any_step_leaves_the_old_or_the_new_image_never_a_partial_one() throws Exception {
        byte[] older = TestImages.png(30, 20, 1);
        byte[] old = TestImages.png(30, 20, 2);
        byte[] fresh = TestImages.png(30, 20, 3);
        // modes: a disk error; a disk error whose cleanup fails at its second step; a crash
        for (int mode = 0; mode < 3; mode++) {
            boolean crash = mode == 2;
            for (int failAt = 1; ; failAt++) {
                Path root = Files.createDirectories(tmp.resolve("run-" + mode + "-" + failAt));
                settings = new DisplaySettings(root.resolve("display"), root.resolve("state"), settings.spec());
                DisplayImageInstaller setup = installer();
                setup.accept(FileKind.LOGO, "older.png", file("older.png", older));
                setup.accept(FileKind.LOGO, "old.png", file("old.png", old));

                FailingDurableFiles failing = new FailingDurableFiles(failAt, crash, mode == 1 ? 2 : 0);
                DisplayImageInstaller installer = new DisplayImageInstaller(settings, clock, guard, failing);
                failing.arm();
                boolean refused = false;
                try {
                    installer.accept(FileKind.LOGO, "fresh.png", file("fresh.png", fresh));
                } catch (FileRejectedException | FailingDurableFiles.SimulatedCrash e) {
                    refused = e instanceof FileRejectedException;
                }
                if (!failing.failed()) {
                    assertArrayEquals(fresh, Files.readAllBytes(installer.currentFile(FileKind.LOGO)));
                    assertTrue(failAt > 5, "the install has several steps, got " + failAt);
                    break;
                }
                DisplayImageInstaller restarted = installer();
                byte[] shown = Files.readAllBytes(restarted.currentFile(FileKind.LOGO));
                byte[] kept = Files.readAllBytes(restarted.previousFile(FileKind.LOGO));
                String at = "mode=" + mode + " failAt=" + failAt;
                if (java.util.Arrays.equals(shown, fresh)) {
                    assertFalse(refused, "reported refused but installed, " + at);
                    assertArrayEquals(old, kept, "previous is the replaced image, " + at);
                    assertEquals("fresh.png", restarted.installed(FileKind.LOGO).orElseThrow().name(), at);
                } else {
                    assertArrayEquals(old, shown, "old image whole, " + at);
                    assertArrayEquals(older, kept, "rollback copy untouched, " + at);
                    assertEquals("old.png", restarted.installed(FileKind.LOGO).orElseThrow().name(), at);
                }
                try (Stream<Path> files = Files.list(root.resolve("display"))) {
                    assertEquals(List.of("logo.png", "logo.previous.png"),
                            files.map(p -> p.getFileName().toString()).sorted().toList(), at);
                }
            }
        }
    }

    @Test
    void a_rollback_stopped_at_any_step_leaves_one_of_the_two_images_whole() throws Exception {
        byte[] old = TestImages.png(30, 20, 2);
        byte[] fresh = TestImages.png(30, 20, 3);
        for (boolean crash : new boolean[] {false, true}) {
            for (int failAt = 1; ; failAt++) {
                Path root = Files.createDirectories(tmp.resolve("rb-" + crash + "-" + failAt));
                settings = new DisplaySettings(root.resolve("display"), root.resolve("state"), settings.spec());
                DisplayImageInstaller setup = installer();
                setup.accept(FileKind.LOGO, "old.png", file("old.png", old));
                setup.accept(FileKind.LOGO, "fresh.png", file("fresh.png", fresh));

                FailingDurableFiles failing = new FailingDurableFiles(failAt, crash);
                DisplayImageInstaller installer = new DisplayImageInstaller(settings, clock, guard, failing);
                failing.arm();
                try {
                    installer.rollback(FileKind.LOGO);
                } catch (IOException | FailingDurableFiles.SimulatedCrash e) {
                    // checked below
                }
                if (!failing.failed()) {
                    assertArrayEquals(old, Files.readAllBytes(installer.currentFile(FileKind.LOGO)));
                    assertTrue(failing.steps() > 3, "a rollback has several steps");
                    break;
                }
                DisplayImageInstaller restarted = installer();
                byte[] shown = Files.readAllBytes(restarted.currentFile(FileKind.LOGO));
                byte[] kept = Files.readAllBytes(restarted.previousFile(FileKind.LOGO));
                String at = "crash=" + crash + " failAt=" + failAt;
                if (java.util.Arrays.equals(shown, old)) {
                    assertArrayEquals(fresh, kept, at);
                } else {
                    assertArrayEquals(fresh, shown, at);
                    assertArrayEquals(old, kept, at);
                }
            }
        }
    }
}
