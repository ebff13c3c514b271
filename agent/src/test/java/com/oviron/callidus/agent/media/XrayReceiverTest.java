package com.oviron.callidus.agent.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileRejectedException;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XrayReceiverTest {
    @TempDir
    Path tmp;
    ManualClock clock = new ManualClock();
    XraySettings settings;
    XrayVault vault;
    XrayReceiver receiver;
    Path incoming;

    @BeforeEach
    void setUp() throws Exception {
        settings = new XraySettings(tmp.resolve("vault"), tmp.resolve("xray.key"), tmp.resolve("viewer"),
                Duration.ofDays(30), 1_000_000, 100_000);
        vault = new XrayVault(settings, clock, FolderGuard.logOnly(), DurableFiles.LOCAL, 1000);
        receiver = new XrayReceiver(vault);
        incoming = Files.createDirectories(tmp.resolve("incoming"));
    }

    private long viewerFiles() throws IOException {
        try (Stream<Path> s = Files.list(settings.viewerFolder())) {
            return s.count();
        }
    }

    @Test
    void stores_encrypted_delivers_to_the_viewer_and_removes_the_plain_file() throws Exception {
        byte[] dicom = XrayFiles.dicom(5000, 1);
        Path received = TestImages.write(incoming, "ceph.dcm", dicom);
        receiver.accept(FileKind.XRAY, "ceph.dcm", received);

        XrayRecord r = vault.list().get(0);
        assertEquals("ceph.dcm", r.name());
        assertEquals(XrayRecord.Direction.IN, r.direction());
        assertTrue(r.deliveredAt().isPresent());
        assertArrayEquals(dicom, Files.readAllBytes(vault.viewerFile(r)));
        assertFalse(Files.exists(received), "no plain copy left outside the viewer folder");
        try (InputStream in = vault.uploadSource(r.id()).openAt(0)) {
            assertArrayEquals(dicom, in.readAllBytes());
        }
    }

    @Test
    void accepts_png_jpeg_and_tiff_by_their_magic_bytes() throws Exception {
        receiver.accept(FileKind.XRAY, "a.png", TestImages.write(incoming, "a.png", TestImages.png(10, 10)));
        receiver.accept(FileKind.XRAY, "b.jpg", TestImages.write(incoming, "b.jpg", TestImages.jpeg(10, 10)));
        receiver.accept(FileKind.XRAY, "c.tif", TestImages.write(incoming, "c.tif", XrayFiles.tiff(300)));
        assertEquals(3, vault.list().size());
        assertEquals(3, viewerFiles());
    }

    @Test
    void refuses_what_is_no_xray_image_and_stores_nothing() throws Exception {
        FileRejectedException gif = assertThrows(FileRejectedException.class, () -> receiver.accept(FileKind.XRAY,
                "x.dcm", TestImages.write(incoming, "x.dcm", TestImages.gif(5, 5))));
        assertEquals("not an x-ray image format the unit accepts (accepted: dicom, jpeg, png, tiff)",
                gif.getMessage());
        byte[] almostDicom = XrayFiles.dicom(300, 1);
        almostDicom[131] = 'X';
        assertThrows(FileRejectedException.class, () -> receiver.accept(FileKind.XRAY, "y.dcm",
                TestImages.write(incoming, "y.dcm", almostDicom)));
        FileRejectedException empty = assertThrows(FileRejectedException.class, () -> receiver.accept(FileKind.XRAY,
                "z.dcm", TestImages.write(incoming, "z.dcm", new byte[0])));
        assertEquals("empty file", empty.getMessage());
        FileRejectedException kind = assertThrows(FileRejectedException.class, () -> receiver.accept(FileKind.LOGO,
                "l.png", TestImages.write(incoming, "l.png", TestImages.png(5, 5))));
        assertEquals("the x-ray receiver takes xray files, not logo", kind.getMessage());
        assertTrue(vault.list().isEmpty());
        assertEquals(0, viewerFiles());
    }

    @Test
    void refuses_when_the_vault_refuses_with_its_reason() throws Exception {
        FileRejectedException e = assertThrows(FileRejectedException.class, () -> receiver.accept(FileKind.XRAY,
                "big.dcm", TestImages.write(incoming, "big.dcm", XrayFiles.dicom(100_001, 2))));
        assertEquals("image too large: 100001 bytes, the unit accepts at most 100000", e.getMessage());
    }

    @Test
    void a_failed_delivery_removes_the_vault_copy_too() throws Exception {
        // the viewer folder replaced by a file: the copy cannot be written there
        Files.delete(settings.viewerFolder());
        Files.write(settings.viewerFolder(), new byte[1]);
        assertThrows(FileRejectedException.class, () -> receiver.accept(FileKind.XRAY, "a.dcm",
                TestImages.write(incoming, "a.dcm", XrayFiles.dicom(500, 3))));
        assertTrue(vault.list().isEmpty());
        try (Stream<Path> s = Files.list(settings.vaultFolder())) {
            assertEquals(0, s.count());
        }
    }
}
