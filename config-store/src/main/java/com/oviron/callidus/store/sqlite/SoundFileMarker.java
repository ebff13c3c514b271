package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.state.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The note a store leaves beside its database file ({@code agent.db.sound}) when it closed cleanly after the
 * file had passed {@code PRAGMA quick_check} during that run. The next open that finds the note, and finds the
 * file exactly as the note describes it (same inode, size and modification time, no write-ahead log left),
 * skips the check at open and runs it on a read-only connection a few seconds later instead: the check reads
 * the whole file (about 0.5 s of CPU for 5 M readings) and would otherwise delay every start-up
 * (docs/performance.md, "Start-up").
 *
 * <p>The note is removed at open, before the store writes anything: a run that ends in a crash or a power cut
 * leaves none, and the next start checks the file before using it, as always. A file changed by anything but
 * the store after the note (restored from a copy, patched, damaged by hand) no longer matches it.
 */
final class SoundFileMarker {
    private static final int MAX_BYTES = 512;

    private SoundFileMarker() {
    }

    static Path of(Path database) {
        return database.resolveSibling(database.getFileName() + ".sound");
    }

    /**
     * Reads and removes the note; true when it describes the file as it is now. A note that cannot be read,
     * is a link, or does not match is removed all the same, and the file is checked.
     */
    static boolean consume(Path database) {
        Path note = of(database);
        if (!Files.exists(note, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        String written;
        try (InputStream in = Files.newInputStream(note, LinkOption.NOFOLLOW_LINKS)) {
            written = new String(in.readNBytes(MAX_BYTES), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            written = "";
        }
        try {
            Files.delete(note);
            DurableFiles.syncFolder(note.toAbsolutePath().getParent());
        } catch (IOException e) {
            // a note that stays would let a later start skip its check after a crash: check now instead
            Logger.warn("store could not remove its clean-close note file={} error={}", note, e.getMessage());
            return false;
        }
        String now = fingerprint(database);
        return now != null && now.equals(written);
    }

    /** Leaves the note for the file as it is now; best effort (without it the next start checks the file). */
    static void write(Path database) {
        String fingerprint = fingerprint(database);
        if (fingerprint == null) {
            return;
        }
        try {
            DurableFiles.replace(of(database), (fingerprint + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            Logger.warn("store could not leave its clean-close note (the next start checks the file) file={}"
                    + " error={}", of(database), e.getMessage());
        }
    }

    /**
     * Inode, size and modification time of the database, or null when it has a write-ahead log with content
     * (not closed cleanly) or cannot be read.
     */
    static String fingerprint(Path database) {
        try {
            Path wal = database.resolveSibling(database.getFileName() + "-wal");
            if (Files.exists(wal, LinkOption.NOFOLLOW_LINKS) && Files.size(wal) > 0) {
                return null;
            }
            BasicFileAttributes a = Files.readAttributes(database, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                return null;
            }
            return "v1 key=" + a.fileKey() + " size=" + a.size() + " mtimeNs="
                    + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            return null;
        }
    }
}
