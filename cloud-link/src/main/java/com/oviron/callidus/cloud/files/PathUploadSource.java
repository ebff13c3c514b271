package com.oviron.callidus.cloud.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** An {@link UploadSource} backed by a file that does not change while it is sent; hashed once when made. */
public final class PathUploadSource implements UploadSource {
    private final Path file;
    private final long size;
    private final byte[] sha256;

    private PathUploadSource(Path file, long size, byte[] sha256) {
        this.file = file;
        this.size = size;
        this.sha256 = sha256;
    }

    /** Reads the file once to learn its size and SHA-256. */
    public static PathUploadSource of(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        long size = 0;
        try (InputStream in = Channels.newInputStream(open(file))) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                size += n;
            }
        }
        return new PathUploadSource(file, size, digest.digest());
    }

    public Path file() {
        return file;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public InputStream openAt(long offset) throws IOException {
        FileChannel channel = open(file);
        channel.position(offset);
        return Channels.newInputStream(channel);
    }

    /**
     * The file, never through a symbolic link as its last component, and only if it is a plain file (a FIFO
     * would block the transfer thread). Upload sources live in the agent's own folders (bundles, logo backup
     * snapshots), whose permissions are checked at start; this keeps a link planted there from being sent.
     */
    private static FileChannel open(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException(file + " is not a plain file; not sent");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (!java.util.Objects.equals(key, a.fileKey())) {
                throw new IOException(file + " was replaced while it was opened; not sent");
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
