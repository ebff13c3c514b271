package com.oviron.callidus.agent.media;

import com.oviron.callidus.cloud.files.UploadSource;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.FolderGuard;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * X-ray images (health data) encrypted at rest in the agent's own folder, in the format of
 * {@link VaultFormat}: AES-256-GCM in 64 KiB segments, so an image of any size is stored, uploaded from any
 * offset and delivered without ever being whole in memory.
 *
 * <p>Files in the vault folder: {@code <id>.xrv} (the image) and {@code <id>.delivered} (when it was
 * delivered, epoch ms), each written to a temp file, fsynced and renamed. Copies for the viewer are written
 * the same way into the viewer folder as {@code <yyyyMMdd-HHmmss>_<first 8 of id>_<name>}.
 *
 * <p>Limits: an image is deleted with its viewer copy {@link XraySettings#retention()} after it entered the
 * vault ({@link #sweep}); the vault files stay within {@link XraySettings#quotaBytes()}: to make room for a new
 * image the delivered ones go first, oldest first; an image not yet delivered is never evicted, so when only
 * such images fill the quota a new one is refused.
 *
 * <p>Logs name images by id only: a file name may carry a patient's name. Thread-safe (one lock); uploads read
 * without it.
 *
 * <p>Both folders are used through {@link ConfinedFolder}s: the viewer folder is the viewer's (another program
 * may write it), the vault is the agent's own; nothing is written, read or deleted through a symbolic link, and
 * a viewer folder replaced by a link is refused (the delivery fails, nothing is written where it points).
 */
public final class XrayVault {
    private static final DateTimeFormatter VIEWER_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final XraySettings settings;
    private final ConfinedFolder vault;
    private final ConfinedFolder viewer;
    private final Clock clock;
    private final DurableFiles files;
    private final int segmentSize;
    private final VaultKey key;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, XrayRecord> records = new HashMap<>();
    private final Map<String, Long> fileBytes = new HashMap<>();
    /** Vault files (by name) whose header cannot be read: kept for service until retention, counted in the quota. */
    private final Map<String, Instant> damaged = new HashMap<>();

    /** Creates the folders and key if needed, removes what an interrupted write left, and reads the index. */
    public XrayVault(XraySettings settings, Clock clock, FolderGuard guard) throws XrayVaultException {
        this(settings, clock, guard, DurableFiles.LOCAL, VaultFormat.DEFAULT_SEGMENT);
    }

    XrayVault(XraySettings settings, Clock clock, FolderGuard guard, DurableFiles files, int segmentSize)
            throws XrayVaultException {
        this.settings = settings;
        this.vault = ConfinedFolder.of(settings.vaultFolder(), "x-ray vault", guard);
        this.viewer = ConfinedFolder.of(settings.viewerFolder(), "x-ray viewer", guard);
        this.clock = clock;
        this.files = files;
        this.segmentSize = segmentSize;
        try {
            vault.create();
            viewer.create();
        } catch (IOException e) {
            throw new XrayVaultException("x-ray folders cannot be created: " + e.getMessage(), e);
        }
        this.key = VaultKey.loadOrCreate(settings.keyFile(), guard, files);
        VaultOpening.open(vault, viewer, key, files, records, fileBytes, damaged);
        Logger.info("x-ray vault opened images={} damaged={} vaultBytes={} quotaBytes={} keyId={}", records.size(),
                damaged.size(), usedBytes(), settings.quotaBytes(), key.idHex());
    }

    /**
     * Encrypts {@code plain} into the vault; the plain file is left alone (the caller deletes it).
     *
     * @param name the image's file name (1 to 255 characters, no path)
     * @throws XrayVaultException when the name is not a plain file name, the image is larger than allowed, the
     *                            vault is full of undelivered images, or the disk fails; nothing is stored then
     */
    public synchronized XrayRecord store(Path plain, String name, XrayRecord.Direction direction)
            throws XrayVaultException {
        try {
            BasicFileAttributes a = java.nio.file.Files.readAttributes(plain, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new XrayVaultException("image not stored: " + plain.getFileName() + " is not a plain file");
            }
        } catch (IOException e) {
            throw new XrayVaultException("image not stored: " + e.getMessage(), e);
        }
        try (FileChannel in = FileChannel.open(plain, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return store(in, name, direction);
        } catch (IOException e) {
            throw new XrayVaultException("image not stored: " + e.getMessage(), e);
        }
    }

    /**
     * Encrypts the content of an open file (from its start; the channel is read twice, for the hash and for the
     * encryption) into the vault. The caller opened it, e.g. from the capture folder without following a link.
     */
    public synchronized XrayRecord store(FileChannel plain, String name, XrayRecord.Direction direction)
            throws XrayVaultException {
        checkName(name);
        String id = HexFormat.of().formatHex(randomBytes(12));
        String target = vaultName(id);
        String tmp = "." + id + ".xrv.tmp";
        try {
            long size = plain.size();
            if (size > settings.maxFileBytes()) {
                throw new XrayVaultException("image too large: " + size + " bytes, the unit accepts at most "
                        + settings.maxFileBytes());
            }
            byte[] sha256 = Sha256.of(plain);
            Instant now = clock.instant();
            VaultFormat.Note note = new VaultFormat.Note(name, direction, now);
            byte[] prefix = randomBytes(VaultFormat.PREFIX);
            byte[] header = VaultFormat.header(key, prefix, segmentSize, size, sha256, note);
            long needed = VaultFormat.encryptedLength(size, header.length - VaultFormat.FIXED, segmentSize);
            makeRoom(needed);
            plain.position(0);
            // the stream must not close the caller's channel: the caller checks the file afterwards
            InputStream source = new java.io.FilterInputStream(Channels.newInputStream(plain)) {
                @Override
                public void close() {
                    // the caller closes the channel
                }
            };
            try (InputStream sealed = new EncryptingInputStream(source, key, header, prefix, segmentSize, size,
                    sha256)) {
                files.writeNew(vault, tmp, sealed);
                files.rename(vault, tmp, target);
                files.syncFolder(vault);
            }
            XrayRecord record = new XrayRecord(id, name, size, HexFormat.of().formatHex(sha256), now, direction,
                    Optional.empty());
            records.put(id, record);
            fileBytes.put(id, vault.entry(target).map(ConfinedFolder.Entry::size).orElse(0L));
            Logger.info("x-ray stored id={} direction={} bytes={} vaultBytes={}", id, direction.wire(), size,
                    usedBytes());
            return record;
        } catch (IOException e) {
            deleteQuietly(vault, tmp);
            throw new XrayVaultException("image not stored: " + e.getMessage(), e);
        }
    }

    /** The plain content of an image, for the upload engine (which may read from any offset, more than once). */
    public synchronized UploadSource uploadSource(String id) throws XrayVaultException {
        XrayRecord record = require(id);
        byte[] sha256 = HexFormat.of().parseHex(record.sha256());
        String file = vaultName(id);
        return new UploadSource() {
            @Override
            public long size() {
                return record.size();
            }

            @Override
            public byte[] sha256() {
                return sha256.clone();
            }

            @Override
            public InputStream openAt(long offset) throws IOException {
                return DecryptingInputStream.open(vault.open(file, Long.MAX_VALUE).channel(), key, offset,
                        "x-ray " + id);
            }
        };
    }

    /**
     * Decrypts an image into the viewer folder (temp file, fsync, rename, fsync the folder) and marks it
     * delivered. Delivering again rewrites the same file.
     *
     * @return the viewer's file
     */
    public synchronized Path deliverToViewer(String id) throws XrayVaultException {
        XrayRecord record = require(id);
        String target = viewerName(record);
        String tmp = "." + target + ".tmp";
        try {
            files.deleteIfExists(viewer, tmp);
            try (InputStream in = DecryptingInputStream.open(vault.open(vaultName(id), Long.MAX_VALUE).channel(), key,
                    0, "x-ray " + id)) {
                files.writeNew(viewer, tmp, in);
            }
            files.rename(viewer, tmp, target);
            files.syncFolder(viewer);
        } catch (IOException e) {
            deleteQuietly(viewer, tmp);
            throw new XrayVaultException("x-ray " + id + " not delivered to the viewer: " + e.getMessage(), e);
        }
        markDelivered(id);
        Logger.info("x-ray delivered to the viewer id={}", id);
        return viewer.pathOf(target);
    }

    /** Records that an image reached where it was going (the viewer, or the cloud); it may then be evicted. */
    public synchronized XrayRecord markDelivered(String id) throws XrayVaultException {
        XrayRecord record = require(id);
        Instant at = clock.instant();
        String marker = VaultOpening.markerName(id);
        String tmp = "." + id + ".delivered.tmp";
        try {
            files.deleteIfExists(vault, tmp);
            files.writeNew(vault, tmp, new ByteArrayInputStream(Long.toString(at.toEpochMilli())
                    .getBytes(StandardCharsets.US_ASCII)));
            files.rename(vault, tmp, marker);
            files.syncFolder(vault);
        } catch (IOException e) {
            deleteQuietly(vault, tmp);
            throw new XrayVaultException("x-ray " + id + " not marked delivered: " + e.getMessage(), e);
        }
        XrayRecord updated = record.delivered(at);
        records.put(id, updated);
        return updated;
    }

    /** Every image in the vault, oldest first. */
    public synchronized List<XrayRecord> list() {
        List<XrayRecord> all = new ArrayList<>(records.values());
        all.sort(Comparator.comparing(XrayRecord::storedAt).thenComparing(XrayRecord::id));
        return List.copyOf(all);
    }

    public synchronized Optional<XrayRecord> get(String id) {
        return Optional.ofNullable(records.get(id));
    }

    /** Removes an image, its viewer copy and its delivery mark. */
    public synchronized void delete(String id) throws XrayVaultException {
        XrayRecord record = require(id);
        try {
            remove(record);
        } catch (IOException e) {
            throw new XrayVaultException("x-ray " + id + " not deleted: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every image (vault file and viewer copy) that entered the vault at least the retention before
     * {@code now}, and damaged vault files older than that; returns what was deleted. A file that cannot be
     * deleted is logged and tried again at the next sweep.
     */
    public synchronized List<XrayRecord> sweep(Instant now) {
        Instant cutoff = now.minus(settings.retention());
        List<XrayRecord> removed = new ArrayList<>();
        for (XrayRecord r : list()) {
            if (r.storedAt().isAfter(cutoff)) {
                break;
            }
            try {
                remove(r);
                removed.add(r);
                if (r.deliveredAt().isEmpty()) {
                    Logger.warn("x-ray deleted by retention before it was delivered id={} direction={}", r.id(),
                            r.direction().wire());
                }
            } catch (IOException e) {
                Logger.error("x-ray not deleted by retention, next sweep tries again id={} error={}", r.id(),
                        e.getMessage());
            }
        }
        for (Map.Entry<String, Instant> d : new ArrayList<>(damaged.entrySet())) {
            if (!d.getValue().isAfter(cutoff)) {
                try {
                    files.deleteIfExists(vault, d.getKey());
                    damaged.remove(d.getKey());
                    Logger.info("damaged x-ray vault file deleted by retention file={}", d.getKey());
                } catch (IOException e) {
                    Logger.error("damaged x-ray vault file not deleted file={} error={}", d.getKey(),
                            e.getMessage());
                }
            }
        }
        if (!removed.isEmpty()) {
            Logger.info("x-ray retention sweep deleted={} remaining={} vaultBytes={}", removed.size(),
                    records.size(), usedBytes());
        }
        return List.copyOf(removed);
    }

    /** Bytes the vault files use now (damaged ones included). */
    public synchronized long usedBytes() {
        long sum = fileBytes.values().stream().mapToLong(Long::longValue).sum();
        for (String name : damaged.keySet()) {
            try {
                sum += vault.entry(name).map(ConfinedFolder.Entry::size).orElse(0L);
            } catch (IOException e) {
                // not there to count
            }
        }
        return sum;
    }

    /** Where the viewer finds an image once delivered. */
    public Path viewerFile(XrayRecord record) {
        return viewer.pathOf(viewerName(record));
    }

    /** The name of an image's copy in the viewer folder. */
    static String viewerName(XrayRecord record) {
        String safe = record.name().replaceAll("[^A-Za-z0-9._ -]", "_");
        if (safe.startsWith(".")) {
            safe = "_" + safe.substring(1);
        }
        if (safe.length() > 200) {
            // file names are at most 255 bytes; keep the end, where the extension is
            safe = safe.substring(safe.length() - 200);
        }
        return VIEWER_STAMP.format(record.storedAt()) + "_" + record.id().substring(0, 8) + "_" + safe;
    }

    /** The largest image {@link #store} takes. */
    public long maxFileBytes() {
        return settings.maxFileBytes();
    }

    /** The vault's key id (hex), for service: it tells which key the files need. */
    public String keyId() {
        return key.idHex();
    }

    private void makeRoom(long needed) throws XrayVaultException, IOException {
        long used = usedBytes();
        if (used + needed <= settings.quotaBytes()) {
            return;
        }
        List<XrayRecord> delivered = list().stream().filter(r -> r.deliveredAt().isPresent()).toList();
        for (XrayRecord r : delivered) {
            if (used + needed <= settings.quotaBytes()) {
                break;
            }
            long freed = fileBytes.getOrDefault(r.id(), 0L);
            remove(r);
            used -= freed;
            Logger.info("x-ray evicted for quota id={} freedBytes={}", r.id(), freed);
        }
        if (used + needed > settings.quotaBytes()) {
            throw new XrayVaultException("x-ray vault full: " + used + " bytes used of " + settings.quotaBytes()
                    + " and every image left is still waiting to be delivered; " + needed + " bytes needed");
        }
    }

    private void remove(XrayRecord r) throws IOException {
        // a viewer folder that is gone holds no copy to delete; one replaced by a link is refused (and reported)
        // by the folder: the copy stays for service, the vault copy goes by its retention all the same
        boolean viewerThere = viewer.exists();
        if (viewerThere) {
            try {
                files.deleteIfExists(viewer, viewerName(r));
            } catch (com.oviron.callidus.store.folders.UnsafeEntryException e) {
                viewerThere = false;
            }
        }
        files.deleteIfExists(vault, VaultOpening.markerName(r.id()));
        files.deleteIfExists(vault, vaultName(r.id()));
        records.remove(r.id());
        fileBytes.remove(r.id());
        if (viewerThere) {
            files.syncFolder(viewer);
        }
        files.syncFolder(vault);
    }

    private XrayRecord require(String id) throws XrayVaultException {
        XrayRecord r = id == null ? null : records.get(id);
        if (r == null) {
            throw new XrayVaultException("no x-ray with id " + id + " in the vault");
        }
        return r;
    }

    private static String vaultName(String id) {
        return id + ".xrv";
    }

    private static void checkName(String name) throws XrayVaultException {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f)) {
            throw new XrayVaultException("x-ray name must be a plain file name of 1 to 255 characters");
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private void deleteQuietly(ConfinedFolder folder, String name) {
        try {
            files.deleteIfExists(folder, name);
        } catch (IOException e) {
            Logger.warn("x-ray temp file not removed file={} error={}", name, e.getMessage());
        }
    }
}
