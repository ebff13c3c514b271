package com.oviron.callidus.agent.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.files.UploadSource;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XrayVaultTest {
    private static final int SEGMENT = 1000;

    @TempDir
    Path tmp;
    ManualClock clock = new ManualClock();
    FolderGuard guard = FolderGuard.logOnly();
    XraySettings settings;
    Path plainFolder;

    @BeforeEach
    void setUp() throws IOException {
        settings = new XraySettings(tmp.resolve("vault"), tmp.resolve("keys/xray.key"), tmp.resolve("viewer"),
                Duration.ofDays(30), 1_000_000, 100_000);
        plainFolder = Files.createDirectories(tmp.resolve("plain"));
    }

    private XrayVault vault() throws XrayVaultException {
        return new XrayVault(settings, clock, guard, DurableFiles.LOCAL, SEGMENT);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path plain(String name, byte[] content) throws IOException {
        return Files.write(plainFolder.resolve(name), content);
    }

    private static byte[] readAll(UploadSource source, long offset) throws IOException {
        try (InputStream in = source.openAt(offset)) {
            return in.readAllBytes();
        }
    }

    private Path vaultFile(XrayRecord r) {
        return settings.vaultFolder().resolve(r.id() + ".xrv");
    }

    @Test
    void stores_encrypted_and_reads_back_the_same_bytes() throws Exception {
        byte[] content = bytes(5_500, 1);
        XrayVault vault = vault();
        XrayRecord r = vault.store(plain("pano.dcm", content), "pano.dcm", XrayRecord.Direction.OUT);

        assertEquals("pano.dcm", r.name());
        assertEquals(content.length, r.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), r.sha256());
        assertEquals(clock.instant(), r.storedAt());
        assertTrue(r.deliveredAt().isEmpty());
        byte[] onDisk = Files.readAllBytes(vaultFile(r));
        assertEquals(66 + (onDisk.length - 66 - content.length - 16 * 6) + content.length + 16 * 6, onDisk.length);
        for (int i = 0; i + 64 <= content.length; i += 64) {
            byte[] window = Arrays.copyOfRange(content, i, i + 64);
            assertFalse(indexOf(onDisk, window) >= 0, "plain bytes found in the vault file at " + i);
        }
        assertFalse(new String(onDisk, java.nio.charset.StandardCharsets.ISO_8859_1).contains("pano"),
                "the name is sealed too");

        UploadSource source = vault.uploadSource(r.id());
        assertEquals(content.length, source.size());
        assertEquals(r.sha256(), HexFormat.of().formatHex(source.sha256()));
        assertArrayEquals(content, readAll(source, 0));
    }

    @Test
    void reads_from_any_offset_by_seeking_to_its_segment() throws Exception {
        byte[] content = bytes(4_321, 2);
        XrayVault vault = vault();
        UploadSource source = vault.uploadSource(vault.store(plain("a.dcm", content), "a.dcm",
                XrayRecord.Direction.OUT).id());
        Random random = new Random(7);
        List<Integer> offsets = new java.util.ArrayList<>(List.of(0, 1, 999, 1000, 1001, 3999, 4000, 4320, 4321));
        for (int i = 0; i < 30; i++) {
            offsets.add(random.nextInt(content.length + 1));
        }
        for (int offset : offsets) {
            assertArrayEquals(Arrays.copyOfRange(content, offset, content.length), readAll(source, offset),
                    "from offset " + offset);
        }
        IOException outside = assertThrows(IOException.class, () -> source.openAt(4322));
        assertTrue(outside.getMessage().startsWith("offset 4322 is outside"), outside.getMessage());
        assertThrows(IOException.class, () -> source.openAt(-1));
    }

    @Test
    void stores_an_empty_image_and_one_of_exactly_whole_segments() throws Exception {
        XrayVault vault = vault();
        for (int size : new int[] {0, SEGMENT, 3 * SEGMENT}) {
            byte[] content = bytes(size, size);
            XrayRecord r = vault.store(plain("s" + size, content), "s" + size, XrayRecord.Direction.IN);
            assertArrayEquals(content, readAll(vault.uploadSource(r.id()), 0), "size " + size);
            assertArrayEquals(new byte[0], readAll(vault.uploadSource(r.id()), size));
        }
    }

    @Test
    void delivers_a_plain_copy_to_the_viewer_folder_and_marks_it_delivered() throws Exception {
        byte[] content = bytes(2_500, 3);
        XrayVault vault = vault();
        XrayRecord r = vault.store(plain("bitewing left.jpg", content), "bitewing left.jpg", XrayRecord.Direction.IN);
        clock.advance(Duration.ofSeconds(5));
        Path shown = vault.deliverToViewer(r.id());

        assertEquals(settings.viewerFolder(), shown.getParent());
        assertEquals("20261121-080000_" + r.id().substring(0, 8) + "_bitewing left.jpg",
                shown.getFileName().toString());
        assertArrayEquals(content, Files.readAllBytes(shown));
        assertEquals(clock.instant(), vault.get(r.id()).orElseThrow().deliveredAt().orElseThrow());
        try (Stream<Path> viewer = Files.list(settings.viewerFolder())) {
            assertEquals(1, viewer.count(), "no temp file left");
        }
        assertEquals(clock.instant(), vault().get(r.id()).orElseThrow().deliveredAt().orElseThrow(),
                "delivery survives a restart");
    }

    @Test
    void viewer_names_cannot_leave_the_viewer_folder_or_hide() throws Exception {
        XrayVault vault = vault();
        XrayRecord r = vault.store(plain("x", bytes(10, 1)), ".hidden:*?.png", XrayRecord.Direction.IN);
        Path shown = vault.deliverToViewer(r.id());
        assertTrue(shown.getFileName().toString().endsWith("__hidden___.png"), shown.toString());
        XrayVaultException slash = assertThrows(XrayVaultException.class,
                () -> vault.store(plain("y", bytes(10, 1)), "../etc/passwd", XrayRecord.Direction.IN));
        assertEquals("x-ray name must be a plain file name of 1 to 255 characters", slash.getMessage());
        assertThrows(XrayVaultException.class, () -> vault.store(plain("z", bytes(1, 1)), "", XrayRecord.Direction.IN));
    }

    @Test
    void a_restart_removes_its_own_viewer_temp_files_and_no_others() throws Exception {
        vault();
        Path ours = Files.write(settings.viewerFolder().resolve(".20261121-080000_0123abcd_pano.dcm.tmp"),
                new byte[3]);
        Path theirs = Files.write(settings.viewerFolder().resolve(".viewer-cache.tmp"), new byte[3]);
        vault();
        assertFalse(Files.exists(ours));
        assertTrue(Files.exists(theirs));
    }

    @Test
    void the_index_survives_a_restart() throws Exception {
        XrayVault vault = vault();
        XrayRecord a = vault.store(plain("a", bytes(100, 1)), "a.dcm", XrayRecord.Direction.OUT);
        clock.advance(Duration.ofMinutes(1));
        XrayRecord b = vault.store(plain("b", bytes(3000, 2)), "b.png", XrayRecord.Direction.IN);
        assertEquals(List.of(a, b), vault().list());
    }

    @Test
    void refuses_an_image_over_the_size_limit_and_stores_nothing() throws Exception {
        XrayVault vault = vault();
        XrayVaultException e = assertThrows(XrayVaultException.class,
                () -> vault.store(plain("big", new byte[100_001]), "big.dcm", XrayRecord.Direction.OUT));
        assertEquals("image too large: 100001 bytes, the unit accepts at most 100000", e.getMessage());
        assertTrue(vault.list().isEmpty());
    }

    @Test
    void an_unknown_id_is_refused_by_name() throws Exception {
        XrayVault vault = vault();
        XrayVaultException e = assertThrows(XrayVaultException.class, () -> vault.uploadSource("../../x"));
        assertEquals("no x-ray with id ../../x in the vault", e.getMessage());
        assertThrows(XrayVaultException.class, () -> vault.deliverToViewer("0123456789abcdef01234567"));
    }

    @Test
    void the_key_file_is_made_once_owner_only_and_reused() throws Exception {
        XrayVault vault = vault();
        byte[] key = Files.readAllBytes(settings.keyFile());
        assertEquals(32, key.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(settings.keyFile())));
        XrayRecord r = vault.store(plain("a", bytes(10, 1)), "a", XrayRecord.Direction.OUT);
        assertArrayEquals(key, Files.readAllBytes(settings.keyFile()));
        assertEquals(vault.keyId(), vault().keyId());
        assertTrue(vault().get(r.id()).isPresent());
        try (Stream<Path> keys = Files.list(settings.keyFile().getParent())) {
            assertEquals(1, keys.count(), "no temp file beside the key");
        }
    }

    @Test
    void a_key_file_readable_by_others_is_refused_not_repaired() throws Exception {
        vault();
        Files.setPosixFilePermissions(settings.keyFile(), PosixFilePermissions.fromString("rw-r--r--"));
        XrayVaultException e = assertThrows(XrayVaultException.class, this::vault);
        assertTrue(e.getMessage().contains("(X-ray vault key): mode 0644") && e.getMessage().contains(
                "readable or usable by others"), e.getMessage());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(settings.keyFile())),
                "left for the technician: it may have been read");
        Files.setPosixFilePermissions(settings.keyFile(), PosixFilePermissions.fromString("rw-r-----"));
        vault();
    }

    @Test
    void a_key_file_that_is_a_link_is_never_read() throws Exception {
        Path elsewhere = Files.write(tmp.resolve("elsewhere.key"), new byte[32]);
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(settings.keyFile().getParent());
        Files.createSymbolicLink(settings.keyFile(), elsewhere);
        XrayVaultException e = assertThrows(XrayVaultException.class, this::vault);
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void a_viewer_folder_replaced_by_a_link_gets_no_copy_and_the_delivery_fails() throws Exception {
        XrayVault vault = vault();
        XrayRecord r = vault.store(plain("v", bytes(100, 1)), "v.dcm", XrayRecord.Direction.IN);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.move(settings.viewerFolder(), tmp.resolve("viewer-moved"));
        Files.createSymbolicLink(settings.viewerFolder(), elsewhere);
        XrayVaultException e = assertThrows(XrayVaultException.class, () -> vault.deliverToViewer(r.id()));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals(0, s.count(), "nothing written where the link points");
        }
        assertTrue(vault.get(r.id()).orElseThrow().deliveredAt().isEmpty());
    }

    @Test
    void a_damaged_key_file_stops_the_vault_with_the_reason() throws Exception {
        vault();
        Files.write(settings.keyFile(), new byte[31]);
        XrayVaultException e = assertThrows(XrayVaultException.class, this::vault);
        assertTrue(e.getMessage().contains("is damaged: 31 bytes, expected 32"), e.getMessage());
    }

    @Test
    void a_file_that_changes_while_it_is_encrypted_is_never_completed() throws Exception {
        VaultKey key = VaultKey.loadOrCreate(settings.keyFile(), guard, DurableFiles.LOCAL);
        byte[] content = bytes(2_500, 1);
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
        byte[] prefix = new byte[VaultFormat.PREFIX];
        byte[] header = VaultFormat.header(key, prefix, SEGMENT, content.length, hash,
                new VaultFormat.Note("n", XrayRecord.Direction.OUT, clock.instant()));
        byte[] changed = content.clone();
        changed[2_000] ^= 1;
        assertEquals("the file changed while it was being stored", assertThrows(IOException.class,
                () -> new EncryptingInputStream(new java.io.ByteArrayInputStream(changed), key, header, prefix,
                        SEGMENT, content.length, hash).readAllBytes()).getMessage());
        assertEquals("the file shrank while it was being stored", assertThrows(IOException.class,
                () -> new EncryptingInputStream(new java.io.ByteArrayInputStream(content, 0, 2_000), key, header,
                        prefix, SEGMENT, content.length, hash).readAllBytes()).getMessage());
        byte[] grown = java.util.Arrays.copyOf(content, 2_501);
        assertEquals("the file grew while it was being stored", assertThrows(IOException.class,
                () -> new EncryptingInputStream(new java.io.ByteArrayInputStream(grown), key, header, prefix,
                        SEGMENT, content.length, hash).readAllBytes()).getMessage());
    }

    // --- tampering: every change is refused with a reason, and nothing reaches the viewer

    private String tamperAndRead(java.util.function.UnaryOperator<byte[]> tamper) throws Exception {
        XrayVault vault = vault();
        byte[] content = bytes(3_500, 9);
        XrayRecord r = vault.store(plain("t", content), "t.dcm", XrayRecord.Direction.IN);
        Path file = vaultFile(r);
        Files.write(file, tamper.apply(Files.readAllBytes(file)));
        IOException e = assertThrows(IOException.class, () -> readAll(vault.uploadSource(r.id()), 0));
        XrayVaultException delivery = assertThrows(XrayVaultException.class, () -> vault.deliverToViewer(r.id()));
        assertTrue(delivery.getMessage().startsWith("x-ray " + r.id() + " not delivered to the viewer: "));
        try (Stream<Path> viewer = Files.list(settings.viewerFolder())) {
            assertEquals(0, viewer.count(), "nothing in the viewer folder");
        }
        return e.getMessage().replace(r.id(), "ID");
    }

    @Test
    void a_flipped_byte_in_a_segment_is_refused() throws Exception {
        assertEquals("x-ray ID fails authentication at segment 3 (damaged, tampered or reordered)",
                tamperAndRead(b -> {
                    b[b.length - 100] ^= 1; // inside the last of four segments
                    return b;
                }));
    }

    @Test
    void a_flipped_byte_in_the_header_is_refused() throws Exception {
        assertEquals("x-ray ID fails authentication in its header (damaged or tampered)", tamperAndRead(b -> {
            b[40] ^= 1; // inside the SHA-256 field
            return b;
        }));
        assertEquals("x-ray ID fails authentication in its header (damaged or tampered)", tamperAndRead(b -> {
            b[80] ^= 1; // inside the sealed note
            return b;
        }));
    }

    @Test
    void a_truncated_file_is_refused() throws Exception {
        String shorter = tamperAndRead(b -> Arrays.copyOf(b, b.length - 1));
        assertTrue(shorter.startsWith("x-ray ID is truncated: "), shorter);
        String noLastSegment = tamperAndRead(b -> Arrays.copyOf(b, b.length - 516));
        assertTrue(noLastSegment.startsWith("x-ray ID is truncated: "), noLastSegment);
        String header = tamperAndRead(b -> Arrays.copyOf(b, 20));
        assertTrue(header.startsWith("x-ray ID is truncated: 20 bytes"), header);
    }

    @Test
    void a_truncated_file_whose_size_field_was_rewritten_is_refused() throws Exception {
        // drop the last segment and claim the shorter size: the header no longer authenticates
        String e = tamperAndRead(b -> {
            byte[] cut = Arrays.copyOf(b, b.length - (500 + 16));
            java.nio.ByteBuffer.wrap(cut).putLong(24, 3000);
            return cut;
        });
        assertEquals("x-ray ID fails authentication in its header (damaged or tampered)", e);
    }

    @Test
    void swapped_segments_are_refused() throws Exception {
        String e = tamperAndRead(b -> {
            int headerLength = b.length - 3500 - 4 * 16;
            int seg = SEGMENT + 16;
            byte[] swapped = b.clone();
            System.arraycopy(b, headerLength, swapped, headerLength + seg, seg);
            System.arraycopy(b, headerLength + seg, swapped, headerLength, seg);
            return swapped;
        });
        assertEquals("x-ray ID fails authentication at segment 0 (damaged, tampered or reordered)", e);
    }

    @Test
    void a_file_from_another_key_is_refused_by_key_id() throws Exception {
        XrayVault vault = vault();
        XrayRecord r = vault.store(plain("k", bytes(100, 1)), "k", XrayRecord.Direction.OUT);
        String ourKey = vault.keyId();
        Files.delete(settings.keyFile());
        XrayVault other = vault();
        assertTrue(other.list().isEmpty(), "a file it cannot read is not listed");
        VaultKey otherKey = VaultKey.loadOrCreate(settings.keyFile(), guard, DurableFiles.LOCAL);
        IOException e = assertThrows(IOException.class,
                () -> DecryptingInputStream.open(FileChannel.open(vaultFile(r)), otherKey, 0, "x-ray " + r.id()));
        assertEquals("x-ray " + r.id() + " was encrypted with another key (key id " + ourKey + ", the unit's key is "
                + other.keyId() + ")", e.getMessage());
        assertTrue(Files.exists(vaultFile(r)), "kept for service until retention");
        assertTrue(other.usedBytes() > 0, "an unreadable file still counts against the quota");
    }

    // --- retention and quota

    @Test
    void sweep_deletes_images_and_viewer_copies_after_the_retention() throws Exception {
        XrayVault vault = vault();
        XrayRecord old = vault.store(plain("o", bytes(100, 1)), "old.png", XrayRecord.Direction.IN);
        Path oldCopy = vault.deliverToViewer(old.id());
        clock.advance(Duration.ofDays(10));
        XrayRecord young = vault.store(plain("y", bytes(100, 2)), "young.png", XrayRecord.Direction.IN);
        Path youngCopy = vault.deliverToViewer(young.id());

        clock.advance(Duration.ofDays(20).minusSeconds(1));
        assertTrue(vault.sweep(clock.instant()).isEmpty(), "nothing is 30 days old yet");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(old.id()), vault.sweep(clock.instant()).stream().map(XrayRecord::id).toList());
        assertFalse(Files.exists(oldCopy));
        assertFalse(Files.exists(vaultFile(old)));
        assertFalse(Files.exists(settings.vaultFolder().resolve(old.id() + ".delivered")));
        assertTrue(Files.exists(youngCopy));
        assertEquals(List.of(young.id()), vault.list().stream().map(XrayRecord::id).toList());
        assertEquals(List.of(young.id()), vault().list().stream().map(XrayRecord::id).toList());
    }

    @Test
    void sweep_deletes_undelivered_images_too_and_damaged_files_by_their_age() throws Exception {
        XrayVault vault = vault();
        XrayRecord r = vault.store(plain("u", bytes(100, 1)), "u", XrayRecord.Direction.OUT);
        Path junk = Files.write(settings.vaultFolder().resolve("0123456789abcdef01234567.xrv"), new byte[70]);
        Files.setLastModifiedTime(junk, java.nio.file.attribute.FileTime.from(clock.instant()));
        XrayVault restarted = vault();
        clock.advance(Duration.ofDays(30));
        assertEquals(List.of(r.id()), restarted.sweep(clock.instant()).stream().map(XrayRecord::id).toList());
        assertFalse(Files.exists(junk));
        assertEquals(0, restarted.usedBytes());
    }

    @Test
    void quota_evicts_delivered_images_oldest_first_and_never_undelivered_ones() throws Exception {
        // each 30_000-byte image takes about 30_600 bytes in the vault: three fit in 100_000
        settings = new XraySettings(settings.vaultFolder(), settings.keyFile(), settings.viewerFolder(),
                Duration.ofDays(30), 100_000, 40_000);
        XrayVault vault = vault();
        XrayRecord a = vault.store(plain("a", bytes(30_000, 1)), "a", XrayRecord.Direction.IN);
        clock.advance(Duration.ofMinutes(1));
        XrayRecord b = vault.store(plain("b", bytes(30_000, 2)), "b", XrayRecord.Direction.OUT);
        clock.advance(Duration.ofMinutes(1));
        XrayRecord c = vault.store(plain("c", bytes(30_000, 3)), "c", XrayRecord.Direction.IN);
        Path aCopy = vault.deliverToViewer(a.id());
        vault.deliverToViewer(c.id());

        clock.advance(Duration.ofMinutes(1));
        XrayRecord d = vault.store(plain("d", bytes(30_000, 4)), "d", XrayRecord.Direction.OUT);
        assertEquals(List.of(b.id(), c.id(), d.id()), vault.list().stream().map(XrayRecord::id).toList(),
                "a (delivered, oldest) made room; b is older but undelivered");
        assertFalse(Files.exists(aCopy));
        assertTrue(vault.usedBytes() <= 100_000);

        clock.advance(Duration.ofMinutes(1));
        XrayRecord e = vault.store(plain("e", bytes(30_000, 5)), "e", XrayRecord.Direction.OUT);
        assertEquals(List.of(b.id(), d.id(), e.id()), vault.list().stream().map(XrayRecord::id).toList());

        XrayVaultException full = assertThrows(XrayVaultException.class,
                () -> vault.store(plain("f", bytes(30_000, 6)), "f", XrayRecord.Direction.OUT));
        assertTrue(full.getMessage().startsWith("x-ray vault full: "), full.getMessage());
        assertEquals(3, vault.list().size());

        vault.markDelivered(b.id());
        vault.store(plain("f", bytes(30_000, 6)), "f", XrayRecord.Direction.OUT);
        assertFalse(vault.get(b.id()).isPresent(), "uploaded images are evicted like delivered ones");
    }

    @Test
    void a_store_interrupted_at_any_step_leaves_no_trace_after_a_restart() throws Exception {
        byte[] content = bytes(2_500, 4);
        for (int failAt = 1; ; failAt++) {
            Path root = Files.createDirectories(tmp.resolve("crash-" + failAt));
            settings = new XraySettings(root.resolve("vault"), root.resolve("xray.key"), root.resolve("viewer"),
                    Duration.ofDays(30), 1_000_000, 100_000);
            FailingDurableFiles failing = new FailingDurableFiles(failAt, true);
            XrayVault vault = new XrayVault(settings, clock, guard, failing, SEGMENT);
            failing.arm();
            XrayRecord stored = null;
            try {
                stored = vault.store(plain("c", content), "c.dcm", XrayRecord.Direction.OUT);
            } catch (FailingDurableFiles.SimulatedCrash e) {
                // the process died here
            }
            XrayVault restarted = vault();
            try (Stream<Path> left = Files.list(settings.vaultFolder())) {
                List<String> names = left.map(p -> p.getFileName().toString()).toList();
                assertTrue(names.stream().noneMatch(n -> n.endsWith(".tmp")), names.toString());
                assertTrue(names.size() <= 1, names.toString());
            }
            if (restarted.list().size() == 1) {
                assertArrayEquals(content, readAll(restarted.uploadSource(restarted.list().get(0).id()), 0));
            }
            if (!failing.failed()) {
                assertTrue(stored != null && failAt > 2);
                break;
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
