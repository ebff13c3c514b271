package com.oviron.callidus.agent.media;

import com.oviron.callidus.cloud.files.UploadSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
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
 */
public final class XrayVault {
    private static final DateTimeFormatter VIEWER_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final XraySettings settings;
    private final Clock clock;
    private final DurableFiles files;
    private final int segmentSize;
    private final VaultKey key;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, XrayRecord> records = new HashMap<>();
    private final Map<String, Long> fileBytes = new HashMap<>();
    /** Vault files whose header cannot be read: kept for service until retention, counted in the quota. */
    private final Map<Path, Instant> damaged = new HashMap<>();

    /** Creates the folders and key if needed, removes what an interrupted write left, and reads the index. */
    public XrayVault(XraySettings settings, Clock clock) throws XrayVaultException {
        this(settings, clock, DurableFiles.LOCAL, VaultFormat.DEFAULT_SEGMENT);
    }

    XrayVault(XraySettings settings, Clock clock, DurableFiles files, int segmentSize) throws XrayVaultException {
        this.settings = settings;
        this.clock = clock;
        this.files = files;
        this.segmentSize = segmentSize;
        try {
            Files.createDirectories(settings.vaultFolder());
            Files.createDirectories(settings.viewerFolder());
        } catch (IOException e) {
            throw new XrayVaultException("x-ray folders cannot be created: " + e.getMessage(), e);
        }
        this.key = VaultKey.loadOrCreate(settings.keyFile(), files);
        VaultOpening.open(settings, key, files, records, fileBytes, damaged);
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
        checkName(name);
        String id = HexFormat.of().formatHex(randomBytes(12));
        Path target = vaultFile(id);
        Path tmp = settings.vaultFolder().resolve("." + id + ".xrv.tmp");
        try {
            long size = Files.size(plain);
            if (size > settings.maxFileBytes()) {
                throw new XrayVaultException("image too large: " + size + " bytes, the unit accepts at most "
                        + settings.maxFileBytes());
            }
            byte[] sha256 = sha256(plain);
            Instant now = clock.instant();
            VaultFormat.Note note = new VaultFormat.Note(name, direction, now);
            byte[] prefix = randomBytes(VaultFormat.PREFIX);
            byte[] header = VaultFormat.header(key, prefix, segmentSize, size, sha256, note);
            long needed = VaultFormat.encryptedLength(size, header.length - VaultFormat.FIXED, segmentSize);
            makeRoom(needed);
            try (InputStream sealed = new EncryptingInputStream(Files.newInputStream(plain), key, header, prefix,
                    segmentSize, size, sha256)) {
                files.writeNew(tmp, sealed);
                files.rename(tmp, target);
                files.syncFolder(settings.vaultFolder());
            }
            XrayRecord record = new XrayRecord(id, name, size, HexFormat.of().formatHex(sha256), now, direction,
                    Optional.empty());
            records.put(id, record);
            fileBytes.put(id, Files.size(target));
            Logger.info("x-ray stored id={} direction={} bytes={} vaultBytes={}", id, direction.wire(), size,
                    usedBytes());
            return record;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new XrayVaultException("image not stored: " + e.getMessage(), e);
        }
    }

    /** The plain content of an image, for the upload engine (which may read from any offset, more than once). */
    public synchronized UploadSource uploadSource(String id) throws XrayVaultException {
        XrayRecord record = require(id);
        byte[] sha256 = HexFormat.of().parseHex(record.sha256());
        Path file = vaultFile(id);
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
                return DecryptingInputStream.open(file, key, offset, "x-ray " + id);
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
        Path target = viewerFile(record);
        Path tmp = settings.viewerFolder().resolve("." + target.getFileName() + ".tmp");
        try {
            files.deleteIfExists(tmp);
            try (InputStream in = DecryptingInputStream.open(vaultFile(id), key, 0, "x-ray " + id)) {
                files.writeNew(tmp, in);
            }
            files.rename(tmp, target);
            files.syncFolder(settings.viewerFolder());
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new XrayVaultException("x-ray " + id + " not delivered to the viewer: " + e.getMessage(), e);
        }
        markDelivered(id);
        Logger.info("x-ray delivered to the viewer id={}", id);
        return target;
    }

    /** Records that an image reached where it was going (the viewer, or the cloud); it may then be evicted. */
    public synchronized XrayRecord markDelivered(String id) throws XrayVaultException {
        XrayRecord record = require(id);
        Instant at = clock.instant();
        Path marker = markerFile(id);
        Path tmp = settings.vaultFolder().resolve("." + id + ".delivered.tmp");
        try {
            files.deleteIfExists(tmp);
            files.writeNew(tmp, new ByteArrayInputStream(Long.toString(at.toEpochMilli())
                    .getBytes(StandardCharsets.US_ASCII)));
            files.rename(tmp, marker);
            files.syncFolder(settings.vaultFolder());
        } catch (IOException e) {
            deleteQuietly(tmp);
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
        for (Map.Entry<Path, Instant> d : new ArrayList<>(damaged.entrySet())) {
            if (!d.getValue().isAfter(cutoff)) {
                try {
                    files.deleteIfExists(d.getKey());
                    damaged.remove(d.getKey());
                    Logger.info("damaged x-ray vault file deleted by retention file={}", d.getKey().getFileName());
                } catch (IOException e) {
                    Logger.error("damaged x-ray vault file not deleted file={} error={}", d.getKey().getFileName(),
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
        for (Path p : damaged.keySet()) {
            try {
                sum += Files.size(p);
            } catch (IOException e) {
                // gone already
            }
        }
        return sum;
    }

    /** Where the viewer finds an image once delivered. */
    public Path viewerFile(XrayRecord record) {
        String safe = record.name().replaceAll("[^A-Za-z0-9._ -]", "_");
        if (safe.startsWith(".")) {
            safe = "_" + safe.substring(1);
        }
        if (safe.length() > 200) {
            // file names are at most 255 bytes; keep the end, where the extension is
            safe = safe.substring(safe.length() - 200);
        }
        return settings.viewerFolder().resolve(VIEWER_STAMP.format(record.storedAt()) + "_" + record.id()
                .substring(0, 8) + "_" + safe);
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
        // a viewer folder that is gone (or replaced) holds no copy to delete
        boolean viewer = Files.isDirectory(settings.viewerFolder());
        if (viewer) {
            files.deleteIfExists(viewerFile(r));
        }
        files.deleteIfExists(markerFile(r.id()));
        files.deleteIfExists(vaultFile(r.id()));
        records.remove(r.id());
        fileBytes.remove(r.id());
        if (viewer) {
            files.syncFolder(settings.viewerFolder());
        }
        files.syncFolder(settings.vaultFolder());
    }

    private XrayRecord require(String id) throws XrayVaultException {
        XrayRecord r = id == null ? null : records.get(id);
        if (r == null) {
            throw new XrayVaultException("no x-ray with id " + id + " in the vault");
        }
        return r;
    }

    private Path vaultFile(String id) {
        return settings.vaultFolder().resolve(id + ".xrv");
    }

    private Path markerFile(String id) {
        return VaultOpening.markerFile(settings, id);
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

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest d = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), d)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return d.digest();
    }

    private void deleteQuietly(Path p) {
        try {
            files.deleteIfExists(p);
        } catch (IOException e) {
            Logger.warn("x-ray temp file not removed file={} error={}", p.getFileName(), e.getMessage());
        }
    }
}
