package com.oviron.callidus.cloud.files;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * One chunk of a file as it travels, in both directions (docs/protocol.md, "Chunk frame"). Big-endian:
 *
 * <pre>
 * offset size  field
 *  0      2    magic 0x43 0x46 ("CF")
 *  2      1    version, 1
 *  3      1    n = length of the transfer id in bytes (1..64)
 *  4      n    transfer id, ASCII
 *  4+n    8    offset of the data in the file (unsigned, a multiple of the transfer's chunk size)
 *  12+n   4    length of the data in bytes
 *  16+n   4    CRC-32 (IEEE 802.3, as zlib's crc32) of bytes 0..16+n-1 followed by the data, that is
 *              of the whole frame without this field
 *  20+n   len  the data
 * </pre>
 *
 * The frame must end exactly after the data. Whether offset and length fit the transfer's layout is checked by
 * the receiver, which knows the layout.
 */
public record ChunkFrame(String transferId, long offset, byte[] data) {
    public static final int VERSION = 1;
    /** The largest data a frame may carry; with the header it stays well below AWS IoT Core's 128 KB. */
    public static final int MAX_DATA = 100 * 1024;
    /** The shape of a transfer id. */
    public static final Pattern TRANSFER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final byte MAGIC_0 = 0x43;
    private static final byte MAGIC_1 = 0x46;

    public ChunkFrame {
        Objects.requireNonNull(transferId, "transferId");
        Objects.requireNonNull(data, "data");
        if (!TRANSFER_ID.matcher(transferId).matches()) {
            throw new IllegalArgumentException("transfer id must match " + TRANSFER_ID.pattern());
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative");
        }
        if (data.length < 1 || data.length > MAX_DATA) {
            throw new IllegalArgumentException("data must be 1 to " + MAX_DATA + " bytes, got " + data.length);
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    public int length() {
        return data.length;
    }

    /** Header bytes for a transfer id of {@code idLength} characters. */
    public static int headerLength(int idLength) {
        return 20 + idLength;
    }

    public byte[] encode() {
        return encode(transferId, offset, data, 0, data.length);
    }

    /** Encodes without making a frame first (the sender's path: no extra copy). */
    public static byte[] encode(String transferId, long offset, byte[] data, int from, int length) {
        byte[] id = transferId.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(headerLength(id.length) + length);
        b.put(MAGIC_0).put(MAGIC_1).put((byte) VERSION).put((byte) id.length).put(id);
        b.putLong(offset).putInt(length);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        crc.update(data, from, length);
        b.putInt((int) crc.getValue());
        b.put(data, from, length);
        return b.array();
    }

    /** Decodes and checks a frame: structure, sizes and CRC. */
    public static ChunkFrame decode(byte[] frame) throws MalformedChunkException {
        if (frame.length < headerLength(1) + 1) {
            throw new MalformedChunkException("too short for a chunk frame: " + frame.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        if (b.get() != MAGIC_0 || b.get() != MAGIC_1) {
            throw new MalformedChunkException("not a chunk frame (bad magic)");
        }
        int version = b.get() & 0xff;
        if (version != VERSION) {
            throw new MalformedChunkException("chunk frame version " + version + " is not supported (only "
                    + VERSION + ")");
        }
        int idLength = b.get() & 0xff;
        if (idLength < 1 || idLength > 64 || frame.length < headerLength(idLength)) {
            throw new MalformedChunkException("bad transfer id length " + idLength);
        }
        byte[] idBytes = new byte[idLength];
        b.get(idBytes);
        String id = new String(idBytes, StandardCharsets.US_ASCII);
        if (!TRANSFER_ID.matcher(id).matches()) {
            throw new MalformedChunkException("bad transfer id");
        }
        long offset = b.getLong();
        long length = b.getInt() & 0xffffffffL;
        long crcDeclared = b.getInt() & 0xffffffffL;
        if (offset < 0) {
            throw new MalformedChunkException("negative offset");
        }
        if (length < 1 || length > MAX_DATA) {
            throw new MalformedChunkException("data length " + length + " outside 1.." + MAX_DATA);
        }
        if (b.remaining() != length) {
            throw new MalformedChunkException("declared " + length + " data bytes, carries " + b.remaining());
        }
        byte[] data = new byte[(int) length];
        b.get(data);
        CRC32 crc = new CRC32();
        crc.update(frame, 0, 16 + idLength);
        crc.update(data);
        if (crc.getValue() != crcDeclared) {
            throw new MalformedChunkException("CRC mismatch (data corrupted)");
        }
        return new ChunkFrame(id, offset, data);
    }

    /** A frame that cannot be taken; the message says why. */
    public static final class MalformedChunkException extends Exception {
        public MalformedChunkException(String message) {
            super(message);
        }
    }
}
