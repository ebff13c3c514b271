package com.oviron.callidus.agent.media;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.PathUploadSource;
import com.oviron.callidus.cloud.files.UploadSource;
import com.oviron.callidus.store.folders.ConfinedFolder;
import com.oviron.callidus.store.folders.UnsafeEntryException;
import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.tinylog.Logger;

/**
 * Cloud backup of the unit's logo and screen saver (the "logo files" among the settings documents): when the
 * image the display shows changes on the unit (installed by the unit's own software, not by the cloud), a
 * snapshot of it is uploaded as a file of kind {@code logo} or {@code screensaver}; once the cloud has
 * confirmed the upload, that version counts as backed up. An image the cloud installed itself is known to
 * the cloud and is not sent back. A replacement unit gets its logo back from the cloud like any logo
 * ({@code file.offer}).
 *
 * <p>State: {@code logo-backups.json} (the SHA-256 backed up per kind, written atomically) and the snapshots
 * in {@code logo-backups/} while they are uploaded (so that a restart resumes the same bytes).
 */
public final class LogoBackup {
    /** Sends a snapshot; returns the transfer id. */
    @FunctionalInterface
    public interface Uploader {
        String send(FileKind kind, String name, UploadSource source) throws Exception;
    }

    private static final List<FileKind> KINDS = List.of(FileKind.LOGO, FileKind.SCREENSAVER);
    /** Largest image backed up (the upload limit is lower by default). */
    static final long MAX_IMAGE_BYTES = 64L << 20;

    private final DisplayImageInstaller display;
    private final Path stateFile;
    private final Path snapshots;
    private final Map<FileKind, String> backedUp = new EnumMap<>(FileKind.class);
    private final Map<FileKind, String> sending = new EnumMap<>(FileKind.class);
    /** Size and time stamp of each image when it was last found backed up or on its way. */
    private final Map<FileKind, String> seen = new EnumMap<>(FileKind.class);

    public LogoBackup(DisplayImageInstaller display, Path stateFolder) throws IOException {
        this.display = display;
        this.stateFile = stateFolder.resolve("logo-backups.json");
        this.snapshots = Files.createDirectories(stateFolder.resolve("logo-backups"));
        load();
    }

    /**
     * Uploads what changed since the last confirmed backup and is not on its way yet. An image that is not a
     * plain file of its own (a symbolic link, a FIFO, a second hard link) is never read: the display folder
     * refuses it and reports that once.
     */
    public synchronized void scan(Uploader uploader) {
        ConfinedFolder folder = display.folder();
        for (FileKind kind : KINDS) {
            String current = DisplayImageInstaller.currentName(kind);
            String stamp = null;
            try {
                Optional<ConfinedFolder.Entry> entry = folder.entry(current);
                if (entry.isEmpty()) {
                    continue;
                }
                // the scan runs every few seconds: look at an image only when it changed (kind of entry, size,
                // time stamp, inode)
                ConfinedFolder.Entry e = entry.get();
                stamp = e.type() + ":" + e.size() + "@" + e.modified().toMillis() + "#" + e.fileKey();
                if (stamp.equals(seen.get(kind))) {
                    continue;
                }
                try (ConfinedFolder.OpenFile image = folder.open(current, MAX_IMAGE_BYTES)) {
                    String sha = Sha256.hex(image.channel());
                    if (sha.equals(backedUp.get(kind)) || sha.equals(sending.get(kind))) {
                        seen.put(kind, stamp);
                        continue;
                    }
                    String name = kind.wire() + "-" + sha.substring(0, 16) + ".png";
                    Path snapshot = snapshots.resolve(name);
                    Path temp = snapshots.resolve(name + ".tmp");
                    Files.deleteIfExists(temp);
                    try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        image.stream().transferTo(out);
                    }
                    boolean settled = folder.entry(current).map(now -> now.sameAs(image.entry())).orElse(false);
                    if (!settled || !sha.equals(sha256(temp))) {
                        Files.deleteIfExists(temp);
                        continue; // changed while copied: the next scan takes the settled file
                    }
                    Files.move(temp, snapshot, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    String transfer = uploader.send(kind, name, PathUploadSource.of(snapshot));
                    sending.put(kind, sha);
                    Logger.info("logo backup started kind={} sha256={} transfer={}", kind.wire(), sha, transfer);
                }
            } catch (UnsafeEntryException e) {
                // not taken until it changes; the folder logged (and alarmed) a link or FIFO once already
                seen.put(kind, stamp == null ? "refused" : stamp);
                if (!e.reported()) {
                    Logger.warn("logo backup skipped kind={} reason={}", kind.wire(), e.reason());
                }
            } catch (Exception e) {
                Logger.warn("logo backup not started now kind={} error={}", kind.wire(), e.getMessage());
            }
        }
    }

    /** The snapshot an interrupted upload was sending, for a resume after a restart. */
    public synchronized Optional<UploadSource> reopen(FileKind kind, String name) {
        Path file = snapshots.resolve(name).normalize();
        if (!KINDS.contains(kind) || !file.startsWith(snapshots) || !Files.isRegularFile(file,
                LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(PathUploadSource.of(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** An upload of a snapshot ended; {@code confirmed}: the cloud has it. */
    public synchronized void uploadEnded(FileKind kind, String name, boolean confirmed) {
        if (!KINDS.contains(kind) || !name.startsWith(kind.wire() + "-")) {
            return;
        }
        Path snapshot = snapshots.resolve(name).normalize();
        try {
            if (confirmed && Files.isRegularFile(snapshot, LinkOption.NOFOLLOW_LINKS)) {
                backedUp.put(kind, sha256(snapshot));
                save();
                Logger.info("logo backed up kind={} sha256={}", kind.wire(), backedUp.get(kind));
            }
            sending.remove(kind);
            seen.remove(kind);
            if (snapshot.startsWith(snapshots)) {
                Files.deleteIfExists(snapshot);
            }
        } catch (IOException e) {
            Logger.warn("logo backup state not saved kind={} error={}", kind.wire(), e.getMessage());
        }
    }

    /** The cloud installed this image itself: it has it, nothing to send back. */
    public synchronized void installedFromCloud(FileKind kind, String sha256) {
        backedUp.put(kind, sha256);
        seen.remove(kind);
        try {
            save();
        } catch (IOException e) {
            Logger.warn("logo backup state not saved kind={} error={}", kind.wire(), e.getMessage());
        }
    }

    /** The SHA-256 of the newest confirmed backup per kind. */
    public synchronized Map<FileKind, String> backedUp() {
        return Map.copyOf(backedUp);
    }

    private void load() throws IOException {
        if (Files.isRegularFile(stateFile, LinkOption.NOFOLLOW_LINKS)) {
            try {
                JsonObject o = JsonParser.parseString(new String(readNoFollow(stateFile, 64 * 1024),
                        StandardCharsets.UTF_8)).getAsJsonObject();
                for (FileKind kind : KINDS) {
                    if (o.has(kind.wire())) {
                        backedUp.put(kind, o.get(kind.wire()).getAsString());
                    }
                }
            } catch (RuntimeException e) {
                Logger.warn("logo backup state unreadable, everything is backed up again file={} error={}",
                        stateFile, e.getMessage());
            }
        }
        try (Stream<Path> old = Files.list(snapshots)) {
            for (Path p : old.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void save() throws IOException {
        JsonObject o = new JsonObject();
        backedUp.forEach((kind, sha) -> o.addProperty(kind.wire(), sha));
        DurableFiles.replace(stateFile, o.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] readNoFollow(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(max);
        }
    }

    /** The SHA-256 of a file (never read through a symbolic link), in hex. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
