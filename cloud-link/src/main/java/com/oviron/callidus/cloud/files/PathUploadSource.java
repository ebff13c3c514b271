package com.oviron.callidus.cloud.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
        try (InputStream in = Files.newInputStream(file)) {
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
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(offset);
        return Channels.newInputStream(channel);
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
