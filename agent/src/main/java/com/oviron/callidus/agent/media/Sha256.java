package com.oviron.callidus.agent.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, which every Java runtime has. */
final class Sha256 {
    private Sha256() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the Java runtime", e);
        }
    }

    /** The SHA-256 of a whole open file, read by position (the channel's position is left alone). */
    static byte[] of(FileChannel file) throws IOException {
        MessageDigest digest = newDigest();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = 0;
        int n;
        while ((n = file.read(buffer.clear(), position)) >= 0) {
            digest.update(buffer.array(), 0, n);
            position += n;
        }
        return digest.digest();
    }

    static String hex(FileChannel file) throws IOException {
        return HexFormat.of().formatHex(of(file));
    }

    /** The first {@link ImageFormat#SNIFF_BYTES} bytes of an open file (fewer if it is shorter). */
    static byte[] head(FileChannel file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ImageFormat.SNIFF_BYTES);
        long position = 0;
        while (b.hasRemaining()) {
            int n = file.read(b, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }
}
