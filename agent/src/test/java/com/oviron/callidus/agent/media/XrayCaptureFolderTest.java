package com.oviron.callidus.agent.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XrayCaptureFolderTest {
    @TempDir
    Path tmp;
    ManualClock clock = new ManualClock();
    XraySettings settings;
    XrayVault vault;
    Path capture;
    List<XrayRecord> captured = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    XrayCaptureFolder folder;
    List<String> alarms = new CopyOnWriteArrayList<>();
    FolderGuard guard = new FolderGuard(alarms::add);

    @BeforeEach
    void setUp() throws Exception {
        settings = new XraySettings(tmp.resolve("vault"), tmp.resolve("xray.key"), tmp.resolve("viewer"),
                Duration.ofDays(30), 250_000, 100_000);
        vault = new XrayVault(settings, clock, guard, DurableFiles.LOCAL, 1000);
        capture = Files.createDirectories(tmp.resolve("capture"));
        folder = new XrayCaptureFolder(XrayCaptureSettings.defaults(capture), vault, clock, r -> {
            captured.add(r);
            threads.add(Thread.currentThread().getName());
        }, guard);
    }

    private void pollAfter(Duration d) {
        clock.advance(d);
        folder.poll();
    }

    @Test
    void takes_a_file_once_it_has_been_quiet_and_deletes_the_plain_copy() throws Exception {
        byte[] dicom = XrayFiles.dicom(3000, 1);
        Path file = Files.write(capture.resolve("IMG0001.dcm"), dicom);
        folder.poll();
        pollAfter(Duration.ofMillis(1999));
        assertTrue(captured.isEmpty(), "not quiet long enough");
        assertTrue(Files.exists(file));

        pollAfter(Duration.ofMillis(1));
        assertEquals(1, captured.size());
        XrayRecord r = captured.get(0);
        assertEquals("IMG0001.dcm", r.name());
        assertEquals(XrayRecord.Direction.OUT, r.direction());
        assertFalse(Files.exists(file));
        try (InputStream in = vault.uploadSource(r.id()).openAt(0)) {
            assertArrayEquals(dicom, in.readAllBytes());
        }
        assertEquals(new XrayCaptureFolder.Stats(1, 0), folder.stats());
    }

    @Test
    void waits_while_a_file_grows() throws Exception {
        Path file = Files.write(capture.resolve("grow.dcm"), XrayFiles.dicom(1000, 1));
        folder.poll();
        clock.advance(Duration.ofMillis(1500));
        Files.write(file, new byte[500], StandardOpenOption.APPEND);
        pollAfter(Duration.ofMillis(1000));
        assertTrue(captured.isEmpty(), "it grew 1 s ago");
        pollAfter(Duration.ofMillis(1000));
        assertTrue(captured.isEmpty(), "quiet for 1 s only");
        pollAfter(Duration.ofMillis(1000));
        assertEquals(1, captured.size());
        assertEquals(1500, captured.get(0).size());
    }

    @Test
    void skips_odd_entries_and_leaves_them_in_place() throws Exception {
        Path dir = Files.createDirectories(capture.resolve("subfolder"));
        Path target = Files.write(tmp.resolve("outside.dcm"), XrayFiles.dicom(300, 2));
        Path link = Files.createSymbolicLink(capture.resolve("link.dcm"), target);
        Path empty = Files.write(capture.resolve("empty.dcm"), new byte[0]);
        Path text = Files.writeString(capture.resolve("notes.txt"), "not an image");
        Path hidden = Files.write(capture.resolve(".IMG0002.dcm.part"), XrayFiles.dicom(300, 3));
        Path huge = Files.write(capture.resolve("huge.dcm"), XrayFiles.dicom(100_001, 3));
        for (int i = 0; i < 4; i++) {
            pollAfter(Duration.ofSeconds(2));
        }
        assertTrue(captured.isEmpty());
        for (Path p : List.of(dir, link, empty, text, hidden, target, huge)) {
            assertTrue(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), p + " left alone");
        }
        assertEquals(5, folder.stats().skipped(), "each odd entry reported once, not at every poll");
        assertEquals(1, alarms.size(), "the link is alarmed, once: " + alarms);

        Files.write(empty, XrayFiles.dicom(300, 4));
        folder.poll();
        pollAfter(Duration.ofSeconds(2));
        assertEquals(1, captured.size(), "the empty file filled up and was taken");
    }

    @Test
    void links_hard_links_and_fifos_are_never_taken_and_the_files_they_name_stay_untouched() throws Exception {
        byte[] outside = XrayFiles.dicom(300, 7);
        Path target = Files.write(tmp.resolve("patient-archive.dcm"), outside);
        Files.createSymbolicLink(capture.resolve("a-link.dcm"), target);
        Files.createLink(capture.resolve("b-hardlink.dcm"), target);
        Process mk = new ProcessBuilder("mkfifo", capture.resolve("c-fifo.dcm").toString()).start();
        assertEquals(0, mk.waitFor());
        Files.write(capture.resolve("d-good.dcm"), XrayFiles.dicom(300, 8));
        folder.poll();
        for (int i = 0; i < 3; i++) {
            pollAfter(Duration.ofSeconds(3));
        }
        assertEquals(1, captured.size(), "only the plain file");
        assertEquals("d-good.dcm", captured.get(0).name());
        assertArrayEquals(outside, Files.readAllBytes(target));
        assertTrue(Files.isSymbolicLink(capture.resolve("a-link.dcm")), "left in place");
        assertTrue(Files.exists(capture.resolve("b-hardlink.dcm")), "left in place");
        assertEquals(3, alarms.size(), "each refused once: " + alarms);
        assertTrue(alarms.stream().anyMatch(a -> a.contains("'b-hardlink.dcm' refused: has 2 hard links")), alarms
                .toString());
    }

    @Test
    void a_file_the_vault_cannot_take_stays_and_is_tried_again_later() throws Exception {
        // fill the vault with one undelivered image: the next does not fit
        Path first = Files.write(capture.resolve("a.dcm"), XrayFiles.dicom(99_000, 1));
        folder.poll();
        pollAfter(Duration.ofSeconds(2));
        assertEquals(1, captured.size());
        Path second = Files.write(capture.resolve("b.dcm"), XrayFiles.dicom(99_000, 2));
        Files.write(capture.resolve("c.dcm"), XrayFiles.dicom(99_000, 3));
        folder.poll();
        pollAfter(Duration.ofSeconds(2));
        assertEquals(2, captured.size(), "one of b and c fits, the other does not");
        assertFalse(Files.exists(first));

        vault.markDelivered(captured.get(0).id());
        pollAfter(Duration.ofSeconds(30));
        assertEquals(2, captured.size(), "not retried before a minute");
        pollAfter(Duration.ofSeconds(30));
        assertEquals(3, captured.size());
        assertFalse(Files.exists(second));
        assertFalse(Files.exists(capture.resolve("c.dcm")));
    }

    @Test
    void a_missing_capture_folder_is_waited_for() throws Exception {
        Files.delete(capture);
        folder.poll();
        pollAfter(Duration.ofSeconds(5));
        Files.createDirectories(capture);
        Files.write(capture.resolve("late.dcm"), XrayFiles.dicom(500, 1));
        folder.poll();
        pollAfter(Duration.ofSeconds(2));
        assertEquals(1, captured.size());
    }

    @Test
    void polls_on_its_own_thread_named_xray_intake() throws Exception {
        folder = new XrayCaptureFolder(new XrayCaptureSettings(capture, Duration.ofMillis(100),
                Duration.ofMillis(20)), vault, Clock.systemUTC(), r -> {
                    captured.add(r);
                    threads.add(Thread.currentThread().getName());
                }, guard);
        try {
            folder.start();
            Files.write(capture.resolve("live.dcm"), XrayFiles.dicom(2000, 5));
            Await.until("the capture taken", Duration.ofSeconds(20), () -> captured.size() == 1);
            assertEquals(List.of("xray-intake"), threads);
            assertFalse(Files.exists(capture.resolve("live.dcm")));
        } finally {
            folder.close();
        }
    }
}
