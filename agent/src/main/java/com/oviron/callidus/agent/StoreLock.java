package com.oviron.callidus.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The store folder's exclusive lock, held for the life of the agent process: two agents on one store would
 * interleave sequence numbers and share one MQTT client id (each would throw the other off the broker).
 *
 * <p>An OS file lock ({@link FileChannel#tryLock()}, fcntl on Linux) on {@value #FILE_NAME} in the store
 * folder: the kernel drops it when the holder dies, even by SIGKILL or a power cut, so a stale lock file never
 * blocks the next start. The file is never deleted (deleting would let a third agent lock a new file while the
 * second still holds the old one); it holds the holder's pid, for the message of the agent that is refused.
 * The holding process must not open the file a second time: closing any descriptor of it would drop the lock.
 */
final class StoreLock implements AutoCloseable {
    static final String FILE_NAME = "agent.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The store folder is in use by another agent (or cannot be locked); the message names folder and pid. */
    static final class HeldException extends Exception {
        HeldException(String message) {
            super(message);
        }
    }

    /** Takes the lock of {@code storeFolder} (created if missing) or says who holds it. */
    static StoreLock acquire(Path storeFolder) throws HeldException {
        Path file = storeFolder.resolve(FILE_NAME);
        FileChannel channel;
        try {
            Files.createDirectories(storeFolder);
            channel = open(file);
        } catch (IOException e) {
            throw new HeldException("cannot open the store lock " + file + ": " + e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new HeldException(inUse(storeFolder, file, Optional.of(ProcessHandle.current().pid())));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new HeldException("cannot lock the store lock " + file + ": " + e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new HeldException(inUse(storeFolder, file, holderPid(file)));
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            // a full disk: the lock holds all the same, a refused agent just cannot name this pid
            org.tinylog.Logger.warn("store lock taken but the pid not written file={} error={}", file, e.getMessage());
        }
        return new StoreLock(channel, lock);
    }

    private static FileChannel open(Path file) throws IOException {
        // never follow a link planted in the store folder
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
    }

    private static String inUse(Path folder, Path file, Optional<Long> pid) {
        return "the store folder " + folder + " is in use by another agent"
                + pid.map(p -> " (pid " + p + ")").orElse("") + ": it holds the lock " + file
                + "; stop that agent first (systemctl stop callidus-agent), or give this one its own store.path";
    }

    /** The pid the holder wrote, if it is there and looks like one. */
    static Optional<Long> holderPid(Path file) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
            return text.matches("\\d{1,10}") ? Optional.of(Long.parseLong(text)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was locked through it
        }
    }

    /** Releases the lock (at the very end of the shutdown; the process's exit would release it too). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close below drops it as well
        }
        closeQuietly(channel);
    }
}
