package com.oviron.callidus.cloud;

import com.oviron.callidus.store.TelemetryRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Telemetry batch format 2: binary, columnar, delta-encoded per channel and zlib-compressed. The layout is
 * specified byte by byte in docs/protocol.md ("Telemetry format 2"); this class is the reference encoder and
 * decoder. Typical size for the CALLIDUS signals: under 2 bytes per reading.
 */
final class BinaryBatchFormat {
    static final byte MAGIC_0 = 'C';
    static final byte MAGIC_1 = 'T';
    static final int VERSION = 2;
    static final int FLAG_ZLIB = 1;
    static final int NO_VALUE = 0x80;
    static final int RAW_DOUBLE = 0xFF;
    private static final int MAX_EXPONENT = 6;
    /**
     * A decoded body larger than this is refused (a zip bomb guard); 1000 readings need at most about 23 KB, the
     * largest grown batch (65 536 readings) at most about 2 MB.
     */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    /**
     * Batches of more readings than this (only grown ones, ADR 0027) are compressed at zlib's default level
     * rather than its best: about 2.5 times faster for a few per cent more bytes, and the publish rate, not the
     * bytes, bounds a backlog's replay.
     */
    static final int BEST_COMPRESSION_UP_TO = 1000;
    private static final double[] POWERS_OF_TEN = new double[MAX_EXPONENT + 1];

    static {
        for (int e = 0; e <= MAX_EXPONENT; e++) {
            POWERS_OF_TEN[e] = Math.pow(10, e);
        }
    }

    private BinaryBatchFormat() {
    }

    static byte[] encode(TelemetryBatch batch) {
        List<TelemetryRecord> rows = batch.readings();
        Map<String, Integer> index = new LinkedHashMap<>();
        for (TelemetryRecord r : rows) {
            index.putIfAbsent(r.channelId(), index.size());
        }
        int channels = index.size();
        int[] channelOf = new int[rows.size()];
        for (int i = 0; i < channelOf.length; i++) {
            channelOf[i] = index.get(rows.get(i).channelId());
        }
        int[] exponent = new int[channels];
        Arrays.fill(exponent, 0);
        boolean[] raw = new boolean[channels];
        for (int i = 0; i < channelOf.length; i++) {
            TelemetryRecord r = rows.get(i);
            if (!hasValue(r)) {
                continue;
            }
            int c = channelOf[i];
            if (raw[c]) {
                continue;
            }
            int e = exponent[c];
            while (e <= MAX_EXPONENT && !fitsScaled(r.value(), e)) {
                e++;
            }
            if (e > MAX_EXPONENT) {
                raw[c] = true;
            } else {
                exponent[c] = e;
            }
        }
        // a value that fit a smaller exponent must still survive the channel's final one exactly
        for (int i = 0; i < channelOf.length; i++) {
            TelemetryRecord r = rows.get(i);
            int c = channelOf[i];
            if (hasValue(r) && !raw[c] && !fitsScaled(r.value(), exponent[c])) {
                raw[c] = true;
            }
        }
        Bytes body = new Bytes(16 + rows.size() * 6);
        body.varint(channels);
        for (Map.Entry<String, Integer> e : index.entrySet()) {
            body.string(e.getKey());
            body.u8(raw[e.getValue()] ? RAW_DOUBLE : exponent[e.getValue()]);
        }
        long prevSeq = batch.firstSeq() - 1;
        for (TelemetryRecord r : rows) {
            body.varint(r.seq() - prevSeq);
            prevSeq = r.seq();
        }
        for (int c : channelOf) {
            body.varint(c);
        }
        long prevTs = rows.get(0).timestampMillis();
        body.zigzag(prevTs);
        for (int i = 1; i < rows.size(); i++) {
            body.zigzag(rows.get(i).timestampMillis() - prevTs);
            prevTs = rows.get(i).timestampMillis();
        }
        for (TelemetryRecord r : rows) {
            body.u8((r.qualityCode() & 0x7F) | (hasValue(r) ? 0 : NO_VALUE));
        }
        long[] prevScaled = new long[channels];
        for (int i = 0; i < channelOf.length; i++) {
            TelemetryRecord r = rows.get(i);
            if (!hasValue(r)) {
                continue;
            }
            int c = channelOf[i];
            if (raw[c]) {
                body.f64(r.value());
            } else {
                long scaled = Math.round(r.value() * POWERS_OF_TEN[exponent[c]]);
                body.zigzag(scaled - prevScaled[c]);
                prevScaled[c] = scaled;
            }
        }
        byte[] plain = body.toArray();
        byte[] packed = deflate(plain, rows.size() > BEST_COMPRESSION_UP_TO ? Deflater.DEFAULT_COMPRESSION
                : Deflater.BEST_COMPRESSION);
        boolean compress = packed.length < plain.length;
        byte[] device = batch.deviceId().getBytes(StandardCharsets.UTF_8);
        byte[] stream = batch.stream().getBytes(StandardCharsets.UTF_8);
        if (device.length > 255 || stream.length > 255) {
            throw new IllegalArgumentException("device id and stream name must be at most 255 bytes");
        }
        byte[] content = compress ? packed : plain;
        int headerLength = 4 + 1 + device.length + 1 + stream.length + 8 + 8 + 4 + 8;
        ByteBuffer out = ByteBuffer.allocate(headerLength + 32 + content.length);
        out.put(MAGIC_0).put(MAGIC_1).put((byte) VERSION).put((byte) (compress ? FLAG_ZLIB : 0));
        out.put((byte) device.length).put(device);
        out.put((byte) stream.length).put(stream);
        out.putLong(batch.firstSeq()).putLong(batch.lastSeq()).putInt(rows.size()).putLong(batch.sentAtMillis());
        out.put(contentHash(out.array(), headerLength, plain));
        out.put(content);
        return out.array();
    }

    static boolean isBinary(byte[] payload) {
        return payload.length >= 3 && payload[0] == MAGIC_0 && payload[1] == MAGIC_1;
    }

    static TelemetryBatch decode(byte[] payload) throws MalformedMessageException {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            if (in.get() != MAGIC_0 || in.get() != MAGIC_1) {
                throw new MalformedMessageException("not a binary telemetry batch (magic)");
            }
            int version = in.get() & 0xFF;
            if (version != VERSION) {
                throw new MalformedMessageException("unsupported telemetry format version " + version);
            }
            int flags = in.get() & 0xFF;
            if ((flags & ~FLAG_ZLIB) != 0) {
                throw new MalformedMessageException("unknown flags " + flags);
            }
            String device = string(in, in.get() & 0xFF);
            String stream = string(in, in.get() & 0xFF);
            long first = in.getLong();
            long last = in.getLong();
            int count = in.getInt();
            long sentAt = in.getLong();
            int headerLength = in.position();
            byte[] hash = new byte[32];
            in.get(hash);
            byte[] content = new byte[in.remaining()];
            in.get(content);
            if (count < 1 || count > MAX_BODY_BYTES / 2) {
                throw new MalformedMessageException("reading count " + count + " is out of range");
            }
            byte[] plain = (flags & FLAG_ZLIB) != 0 ? inflate(content) : content;
            if (!MessageDigest.isEqual(hash, contentHash(payload, headerLength, plain))) {
                throw new MalformedMessageException("content hash does not match the header and body");
            }
            return body(ByteBuffer.wrap(plain), device, stream, first, last, count, sentAt);
        } catch (java.nio.BufferUnderflowException e) {
            throw new MalformedMessageException("binary batch is truncated", e);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("binary batch is inconsistent: " + e.getMessage(), e);
        }
    }

    private static TelemetryBatch body(ByteBuffer in, String device, String stream, long first, long last, int count,
                                       long sentAt) throws MalformedMessageException {
        int channels = (int) uvarint(in);
        if (channels < 1 || channels > count) {
            throw new MalformedMessageException("channel count " + channels + " is out of range");
        }
        String[] names = new String[channels];
        int[] exponent = new int[channels];
        for (int c = 0; c < channels; c++) {
            names[c] = string(in, (int) uvarint(in));
            exponent[c] = in.get() & 0xFF;
            if (exponent[c] != RAW_DOUBLE && exponent[c] > MAX_EXPONENT) {
                throw new MalformedMessageException("value exponent " + exponent[c] + " of channel " + names[c]);
            }
        }
        long[] seq = new long[count];
        long prev = first - 1;
        for (int i = 0; i < count; i++) {
            long delta = uvarint(in);
            if (delta < 1) {
                throw new MalformedMessageException("sequence numbers must increase (reading " + i + ")");
            }
            prev += delta;
            seq[i] = prev;
        }
        int[] channel = new int[count];
        for (int i = 0; i < count; i++) {
            long c = uvarint(in);
            if (c >= channels) {
                throw new MalformedMessageException("channel index " + c + " of reading " + i + " is undefined");
            }
            channel[i] = (int) c;
        }
        long[] ts = new long[count];
        long t = zigzag(in);
        ts[0] = t;
        for (int i = 1; i < count; i++) {
            t += zigzag(in);
            ts[i] = t;
        }
        int[] quality = new int[count];
        for (int i = 0; i < count; i++) {
            quality[i] = in.get() & 0xFF;
        }
        long[] prevScaled = new long[channels];
        List<TelemetryRecord> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int c = channel[i];
            double value = Double.NaN;
            if ((quality[i] & NO_VALUE) == 0) {
                if (exponent[c] == RAW_DOUBLE) {
                    value = in.getDouble();
                } else {
                    prevScaled[c] += zigzag(in);
                    value = prevScaled[c] / POWERS_OF_TEN[exponent[c]];
                }
            }
            rows.add(new TelemetryRecord(seq[i], names[c], ts[i], value, quality[i] & 0x7F));
        }
        if (in.hasRemaining()) {
            throw new MalformedMessageException(in.remaining() + " bytes after the last value");
        }
        return new TelemetryBatch(device, stream, first, last, sentAt, rows);
    }

    private static boolean hasValue(TelemetryRecord r) {
        return Double.isFinite(r.value());
    }

    private static boolean fitsScaled(double v, int exponent) {
        double scaled = v * POWERS_OF_TEN[exponent];
        if (Math.abs(scaled) > 1e15) {
            return false;
        }
        // bit equality: -0.0 and 0.0 are equal as numbers but not on the wire
        return Double.doubleToLongBits(Math.round(scaled) / POWERS_OF_TEN[exponent]) == Double.doubleToLongBits(v);
    }

    private static byte[] deflate(byte[] plain, int level) {
        Deflater deflater = new Deflater(level);
        try {
            deflater.setInput(plain);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 2 + 64);
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] packed) throws MalformedMessageException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(packed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 4);
            byte[] chunk = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new MalformedMessageException("compressed body is truncated");
                }
                out.write(chunk, 0, n);
                if (out.size() > MAX_BODY_BYTES) {
                    throw new MalformedMessageException("body inflates beyond " + MAX_BODY_BYTES + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new MalformedMessageException("compressed body is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    /** SHA-256 over the header (every byte before the hash) and the uncompressed body. */
    static byte[] contentHash(byte[] headerSource, int headerLength, byte[] plainBody) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(headerSource, 0, headerLength);
            return digest.digest(plainBody);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static String string(ByteBuffer in, int length) {
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static long uvarint(ByteBuffer in) throws MalformedMessageException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedMessageException("varint longer than 10 bytes");
    }

    private static long zigzag(ByteBuffer in) throws MalformedMessageException {
        long v = uvarint(in);
        return (v >>> 1) ^ -(v & 1);
    }

    /** A growable byte array with the primitives of the format. */
    private static final class Bytes {
        private byte[] data;
        private int size;

        Bytes(int capacity) {
            data = new byte[Math.max(16, capacity)];
        }

        private void ensure(int more) {
            if (size + more > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
            }
        }

        void u8(int v) {
            ensure(1);
            data[size++] = (byte) v;
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                data[size++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            data[size++] = (byte) v;
        }

        void zigzag(long v) {
            varint((v << 1) ^ (v >> 63));
        }

        void f64(double v) {
            ensure(8);
            long bits = Double.doubleToRawLongBits(v);
            for (int i = 7; i >= 0; i--) {
                data[size++] = (byte) (bits >>> (8 * i));
            }
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, data, size, b.length);
            size += b.length;
        }

        byte[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
