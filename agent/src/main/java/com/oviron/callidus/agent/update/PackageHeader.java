package com.oviron.callidus.agent.update;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The fixed part of an update package file, before the payload (docs/updates.md, "Package file"):
 *
 * <pre>
 * offset   size  field
 * 0        4     magic "CUP1" (43 55 50 31)
 * 4        1     key id length K, 1..64
 * 5        K     key id, ASCII [A-Za-z0-9._-]
 * 5+K      64    Ed25519 signature over exactly the M manifest bytes
 * 69+K     4     manifest length M, unsigned big-endian, 1..65536
 * 73+K     M     manifest, UTF-8 JSON ({@link Manifest})
 * 73+K+M   ...   the files' bytes in manifest order, each exactly its declared size; nothing after
 * </pre>
 *
 * @param keyId         which pinned key signed the manifest
 * @param signature     64 bytes
 * @param manifestBytes the exact signed bytes
 * @param payloadOffset where the first file's bytes start
 */
public record PackageHeader(String keyId, byte[] signature, byte[] manifestBytes, long payloadOffset) {
    static final byte[] MAGIC = {'C', 'U', 'P', '1'};
    public static final int MAX_MANIFEST_BYTES = 65_536;
    public static final int SIGNATURE_BYTES = 64;
    public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public PackageHeader {
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id must match " + KEY_ID.pattern());
        }
        if (signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("an Ed25519 signature has 64 bytes");
        }
        if (manifestBytes.length < 1 || manifestBytes.length > MAX_MANIFEST_BYTES) {
            throw new IllegalArgumentException("manifest must be 1 to " + MAX_MANIFEST_BYTES + " bytes");
        }
        signature = signature.clone();
        manifestBytes = manifestBytes.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public byte[] manifestBytes() {
        return manifestBytes.clone();
    }

    /** Writes the header for {@code manifestBytes} (the payload follows). */
    public static void write(OutputStream out, String keyId, byte[] signature, byte[] manifestBytes)
            throws IOException {
        PackageHeader h = new PackageHeader(keyId, signature, manifestBytes, 0);
        byte[] kid = h.keyId().getBytes(StandardCharsets.US_ASCII);
        out.write(MAGIC);
        out.write(kid.length);
        out.write(kid);
        out.write(signature);
        out.write(ByteBuffer.allocate(4).putInt(manifestBytes.length).array());
        out.write(manifestBytes);
    }

    /** Reads the header from the start of {@code file}; nothing of it is trusted yet. */
    public static PackageHeader read(FileChannel file) throws PackageRejectedException, IOException {
        long[] position = {0};
        byte[] magic = readFully(file, position, 4, "magic");
        if (!Arrays.equals(magic, MAGIC)) {
            throw malformed("not an update package (magic is not CUP1)");
        }
        int kidLength = readFully(file, position, 1, "key id length")[0] & 0xff;
        if (kidLength < 1 || kidLength > 64) {
            throw malformed("key id length must be 1 to 64, got " + kidLength);
        }
        String kid = new String(readFully(file, position, kidLength, "key id"), StandardCharsets.ISO_8859_1);
        if (!KEY_ID.matcher(kid).matches()) {
            throw malformed("key id must match " + KEY_ID.pattern());
        }
        byte[] signature = readFully(file, position, SIGNATURE_BYTES, "signature");
        long manifestLength = ByteBuffer.wrap(readFully(file, position, 4, "manifest length")).getInt() & 0xffffffffL;
        if (manifestLength < 1 || manifestLength > MAX_MANIFEST_BYTES) {
            throw malformed("manifest length must be 1 to " + MAX_MANIFEST_BYTES + " bytes, got " + manifestLength);
        }
        byte[] manifest = readFully(file, position, (int) manifestLength, "manifest");
        return new PackageHeader(kid, signature, manifest, position[0]);
    }

    private static byte[] readFully(FileChannel file, long[] position, int n, String what)
            throws IOException, PackageRejectedException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int r = file.read(b, position[0] + b.position());
            if (r < 0) {
                throw malformed("the file ends inside the " + what + " (" + file.size() + " bytes)");
            }
        }
        position[0] += n;
        return b.array();
    }

    private static PackageRejectedException malformed(String message) {
        return new PackageRejectedException(RejectReason.MALFORMED, message);
    }
}
