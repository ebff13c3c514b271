package com.oviron.callidus.agent.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.UploadSource;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogoBackupTest {
    @TempDir
    Path dir;

    private record Sent(FileKind kind, String name, byte[] content) {
    }

    @Test
    void a_logo_changed_on_the_unit_is_backed_up_once_and_one_from_the_cloud_is_not_sent_back() throws Exception {
        DisplayImageInstaller display = new DisplayImageInstaller(new DisplaySettings(dir.resolve("display"),
                dir.resolve("state/display"), DisplaySpec.defaults()), new ManualClock(Instant.EPOCH),
                FolderGuard.logOnly());
        LogoBackup backup = new LogoBackup(display, dir.resolve("state"));
        List<Sent> sent = new ArrayList<>();
        LogoBackup.Uploader uploader = (kind, name, source) -> {
            try (InputStream in = source.openAt(0)) {
                sent.add(new Sent(kind, name, in.readAllBytes()));
            }
            return "t" + sent.size();
        };
        backup.scan(uploader);
        assertTrue(sent.isEmpty(), "no logo, nothing to back up");

        byte[] local = "a logo the unit's own software installed".getBytes();
        Files.write(display.currentFile(FileKind.LOGO), local);
        backup.scan(uploader);
        backup.scan(uploader);
        assertEquals(1, sent.size(), "sent once while on its way");
        assertEquals(FileKind.LOGO, sent.get(0).kind());
        assertArrayEquals(local, sent.get(0).content());
        assertTrue(backup.reopen(FileKind.LOGO, sent.get(0).name()).isPresent(), "a restart resumes the snapshot");

        backup.uploadEnded(FileKind.LOGO, sent.get(0).name(), true);
        assertFalse(backup.reopen(FileKind.LOGO, sent.get(0).name()).isPresent(), "snapshot gone once confirmed");
        backup.scan(uploader);
        assertEquals(1, sent.size(), "backed up: not sent again");
        assertEquals(LogoBackup.sha256(display.currentFile(FileKind.LOGO)),
                new LogoBackup(display, dir.resolve("state")).backedUp().get(FileKind.LOGO), "kept across a restart");

        byte[] fromCloud = "a logo the cloud sent".getBytes();
        Path received = dir.resolve("received.png");
        Files.write(received, fromCloud);
        backup.installedFromCloud(FileKind.LOGO, LogoBackup.sha256(received));
        Files.write(display.currentFile(FileKind.LOGO), fromCloud);
        backup.scan(uploader);
        assertEquals(1, sent.size(), "the cloud has it already");

        Files.write(display.currentFile(FileKind.SCREENSAVER), "a screen saver".getBytes());
        backup.scan(uploader);
        assertEquals(FileKind.SCREENSAVER, sent.get(1).kind());
        backup.uploadEnded(FileKind.SCREENSAVER, sent.get(1).name(), false);
        backup.scan(uploader);
        assertEquals(3, sent.size(), "a failed upload is tried again");
    }

    @Test
    void an_image_that_is_a_link_a_hard_link_or_a_fifo_is_never_backed_up_and_reported_once() throws Exception {
        List<String> alarms = new CopyOnWriteArrayList<>();
        DisplayImageInstaller display = new DisplayImageInstaller(new DisplaySettings(dir.resolve("display"),
                dir.resolve("state/display"), DisplaySpec.defaults()), new ManualClock(Instant.EPOCH),
                new FolderGuard(alarms::add));
        LogoBackup backup = new LogoBackup(display, dir.resolve("state"));
        List<Sent> sent = new ArrayList<>();
        LogoBackup.Uploader uploader = (kind, name, source) -> {
            try (InputStream in = source.openAt(0)) {
                sent.add(new Sent(kind, name, in.readAllBytes()));
            }
            return "t" + sent.size();
        };
        byte[] secret = "the x-ray vault key, 32 bytes...".getBytes();
        Path key = Files.write(dir.resolve("xray.key"), secret);
        Files.createSymbolicLink(display.currentFile(FileKind.LOGO), key);
        Files.createLink(display.currentFile(FileKind.SCREENSAVER), key);
        for (int i = 0; i < 3; i++) {
            backup.scan(uploader);
        }
        assertTrue(sent.isEmpty(), "nothing sent");
        assertEquals(2, alarms.size(), "each refused once: " + alarms);

        Files.delete(display.currentFile(FileKind.LOGO));
        Process mk = new ProcessBuilder("mkfifo", display.currentFile(FileKind.LOGO).toString()).start();
        assertEquals(0, mk.waitFor());
        backup.scan(uploader);
        assertTrue(sent.isEmpty(), "a FIFO is not opened (the scan would hang)");
        assertEquals(3, alarms.size(), alarms.toString());

        Files.delete(display.currentFile(FileKind.LOGO));
        byte[] real = "a logo the unit's own software installed".getBytes();
        Files.write(display.currentFile(FileKind.LOGO), real);
        backup.scan(uploader);
        assertEquals(1, sent.size());
        assertArrayEquals(real, sent.get(0).content());
        assertArrayEquals(secret, Files.readAllBytes(key));
    }
}
