package com.oviron.callidus.agent.media;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The vault file format, version 1 (docs/media.md has the table). Big-endian:
 *
 * <pre>
 *  0  4  magic "CXRV"
 *  4  1  version (1)
 *  5  8  key id
 * 13  7  nonce prefix (random per file)
 * 20  4  segment size S (plain bytes per segment)
 * 24  8  plain size
 * 32 32  SHA-256 of the plain content
 * 64  2  M, length of the sealed note
 * 66  M  sealed note: AES-GCM of {"name":..,"direction":"in"|"out","storedAt":ms},
 *        nonce = prefix | 0xFFFFFFFF | 0x02, additional data = bytes 0..65
 * 66+M   segments: segment i seals plain bytes [i*S, min((i+1)*S, size)) with
 *        nonce = prefix | i (4 bytes) | 1 if it is the last segment else 0, additional data = the whole header
 * </pre>
 *
 * There is always at least one segment (an empty image has one empty segment), so the header is
 * authenticated by every file. The file length is exact: header + size + 16 per segment.
 */
final class VaultFormat {
    static final byte[] MAGIC = "CXRV".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int FIXED = 66;
    static final int TAG = 16;
    static final int PREFIX = 7;
    static final int MAX_NOTE = 4096;
    static final int DEFAULT_SEGMENT = 64 * 1024;
    private static final int MAX_SEGMENT = 1024 * 1024;

    /** What the sealed note says. */
    record Note(String name, XrayRecord.Direction direction, Instant storedAt) {
    }

    /** A parsed and authenticated header. */
    record Header(byte[] bytes, byte[] noncePrefix, int segmentSize, long plainSize, byte[] sha256, Note note) {
        int length() {
            return bytes.length;
        }

        long segments() {
            return segmentCount(plainSize, segmentSize);
        }

        int plainLength(long segment) {
            return (int) Math.min(segmentSize, plainSize - segment * segmentSize);
        }

        long fileLength() {
            return bytes.length + plainSize + TAG * segments();
        }

        long offsetOf(long segment) {
            return bytes.length + segment * (segmentSize + (long) TAG);
        }

        String sha256Hex() {
            return HexFormat.of().formatHex(sha256);
        }
    }

    private VaultFormat() {
    }

    static long segmentCount(long plainSize, int segmentSize) {
        return Math.max(1, (plainSize + segmentSize - 1) / segmentSize);
    }

    static long encryptedLength(long plainSize, int noteLength, int segmentSize) {
        return FIXED + noteLength + plainSize + TAG * segmentCount(plainSize, segmentSize);
    }

    static byte[] nonce(byte[] prefix, long segment, int flag) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put(prefix).putInt((int) segment).put((byte) flag);
        return b.array();
    }

    static byte[] noteJson(Note note) {
        JsonObject o = new JsonObject();
        o.addProperty("name", note.name());
        o.addProperty("direction", note.direction().wire());
        o.addProperty("storedAt", note.storedAt().toEpochMilli());
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Cipher cipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM missing from the Java runtime", e);
        }
    }

    /** Builds and seals a header. */
    static byte[] header(VaultKey key, byte[] prefix, int segmentSize, long plainSize, byte[] sha256, Note note) {
        byte[] json = noteJson(note);
        int m = json.length + TAG;
        ByteBuffer fixed = ByteBuffer.allocate(FIXED);
        fixed.put(MAGIC).put((byte) VERSION).put(key.id()).put(prefix).putInt(segmentSize).putLong(plainSize)
                .put(sha256).putShort((short) m);
        try {
            Cipher c = cipher();
            c.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(128, nonce(prefix, 0xFFFFFFFFL, 2)));
            c.updateAAD(fixed.array());
            byte[] sealed = c.doFinal(json);
            byte[] out = Arrays.copyOf(fixed.array(), FIXED + sealed.length);
            System.arraycopy(sealed, 0, out, FIXED, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM refused a fresh nonce", e);
        }
    }

    /** Reads, checks and authenticates the header at the start of {@code in}. */
    static Header readHeader(FileChannel in, VaultKey key, String what) throws IOException {
        long length = in.size();
        if (length < FIXED) {
            throw new IOException(what + " is truncated: " + length + " bytes, shorter than a header");
        }
        ByteBuffer fixed = ByteBuffer.allocate(FIXED);
        readFully(in, fixed, 0);
        fixed.flip();
        byte[] magic = new byte[4];
        fixed.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(what + " is not a vault file (bad magic)");
        }
        int version = fixed.get() & 0xff;
        if (version != VERSION) {
            throw new IOException(what + " has format version " + version + ", this agent reads " + VERSION);
        }
        byte[] keyId = new byte[VaultKey.ID_BYTES];
        fixed.get(keyId);
        if (!Arrays.equals(keyId, key.id())) {
            throw new IOException(what + " was encrypted with another key (key id "
                    + HexFormat.of().formatHex(keyId) + ", the unit's key is " + key.idHex() + ")");
        }
        byte[] prefix = new byte[PREFIX];
        fixed.get(prefix);
        int segmentSize = fixed.getInt();
        long plainSize = fixed.getLong();
        byte[] sha256 = new byte[32];
        fixed.get(sha256);
        int m = fixed.getShort() & 0xffff;
        if (segmentSize < 1 || segmentSize > MAX_SEGMENT || plainSize < 0 || m <= TAG || m > MAX_NOTE) {
            throw new IOException(what + " has a damaged header");
        }
        if (length < FIXED + m) {
            throw new IOException(what + " is truncated inside its header");
        }
        ByteBuffer sealed = ByteBuffer.allocate(m);
        readFully(in, sealed, FIXED);
        byte[] bytes = Arrays.copyOf(fixed.array(), FIXED + m);
        System.arraycopy(sealed.array(), 0, bytes, FIXED, m);
        Note note;
        try {
            Cipher c = cipher();
            c.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(128, nonce(prefix, 0xFFFFFFFFL, 2)));
            c.updateAAD(bytes, 0, FIXED);
            byte[] json = c.doFinal(sealed.array());
            JsonObject o = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
            note = new Note(o.get("name").getAsString(),
                    XrayRecord.Direction.valueOf(o.get("direction").getAsString().toUpperCase(java.util.Locale.ROOT)),
                    Instant.ofEpochMilli(o.get("storedAt").getAsLong()));
        } catch (AEADBadTagException e) {
            throw new IOException(what + " fails authentication in its header (damaged or tampered)", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(what + " has a damaged header: " + e.getMessage(), e);
        }
        Header header = new Header(bytes, prefix, segmentSize, plainSize, sha256, note);
        if (length != header.fileLength()) {
            throw new IOException(what + " is " + (length < header.fileLength() ? "truncated" : "too long") + ": "
                    + length + " bytes, the header says " + header.fileLength());
        }
        return header;
    }

    static void readFully(FileChannel in, ByteBuffer into, long position) throws IOException {
        long p = position;
        while (into.hasRemaining()) {
            int n = in.read(into, p);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + p);
            }
            p += n;
        }
    }
}
