package com.oviron.callidus.agent.settings;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.tinylog.Logger;

/** Durable file writes: the bytes are on disk before a name points at them, and the name change is on disk too. */
final class AtomicFiles {
    /** Temp files start with this, so the folder scan (which skips hidden files) never sees them. */
    static final String TEMP_PREFIX = ".settings-";
    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    /** Writes a new file and forces it to disk; the file must not exist yet. */
    static void writeAndSync(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** A fresh temp file name next to {@code target}. */
    static Path tempFor(Path target) {
        return target.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + TEMP_SUFFIX);
    }

    static boolean isTemp(Path file) {
        String n = file.getFileName().toString();
        return n.startsWith(TEMP_PREFIX) && n.endsWith(TEMP_SUFFIX);
    }

    /** Replaces {@code target} atomically: temp file in the same folder, fsync, rename, fsync the folder. */
    static void replace(Path target, byte[] bytes) throws IOException {
        Path temp = tempFor(target);
        try {
            writeAndSync(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Forces a folder's entries (renames, deletions) to disk. */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a directory; the rename itself is still atomic there
            Logger.debug("folder not synced folder={} error={}", dir, e.getMessage());
        }
    }
}
