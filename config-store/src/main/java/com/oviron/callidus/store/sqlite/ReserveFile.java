package com.oviron.callidus.store.sqlite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file of {@code bytes} real bytes next to the store, held so that the disk can never fill up completely
 * behind the store's back: deleting it gives that room back at once, for the writes that must get through
 * (acknowledgements, retention, alarms, the agent's state). It is written with bytes that do not compress
 * (a file system that compresses or a sparse file would reserve nothing) and put in place by a rename. A
 * symbolic link or anything else in its place is removed, never followed.
 *
 * <p>Thread-safe: used under the store's lock and, for {@link #release()}, by other writers' threads.
 */
final class ReserveFile {
    private static final int CHUNK = 64 * 1024;

    private final Path path;
    private final long bytes;

    ReserveFile(Path path, long bytes) {
        this.path = path;
        this.bytes = bytes;
    }

    Path path() {
        return path;
    }

    long bytes() {
        return bytes;
    }

    /** Whether the reserve is in place: a regular file (not a link) of the full size. */
    synchronized boolean held() {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.size() == bytes;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the reserve (whatever is in its place, never following a link); true if a full reserve was freed. */
    synchronized boolean release() throws IOException {
        boolean wasHeld = held();
        Files.deleteIfExists(path);
        return wasHeld;
    }

    /**
     * Writes the reserve unless it is in place. A partly written file (the disk filled meanwhile) is deleted and
     * the failure thrown.
     */
    synchronized void create() throws IOException {
        if (held()) {
            return;
        }
        Files.deleteIfExists(path); // a wrong size, a link, a left-over: never written through
        Path temp = path.resolveSibling("." + path.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer chunk = ByteBuffer.wrap(incompressible(CHUNK));
                long left = bytes;
                while (left > 0) {
                    chunk.clear();
                    chunk.limit((int) Math.min(CHUNK, left));
                    while (chunk.hasRemaining()) {
                        left -= ch.write(chunk);
                    }
                }
                // not forced: the file system takes the blocks when they are written (a forced 16 MiB would hold
                // up the start on a slow flash); a reserve a power cut took is written again at the next start
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Bytes from a xorshift generator: a compressing file system cannot make them smaller. */
    private static byte[] incompressible(int n) {
        byte[] out = new byte[n];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int k = 0; k < 8 && i + k < n; k++) {
                out[i + k] = (byte) (x >>> (8 * k));
            }
        }
        return out;
    }
}
