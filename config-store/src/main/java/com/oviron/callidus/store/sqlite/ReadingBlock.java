package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.NewReading;
import java.util.Arrays;
import java.util.List;

/**
 * A run of readings with consecutive sequence numbers, as one row of table {@code reading_block} stores it:
 * the block's first and last sequence number, its earliest and latest sample time, and the readings packed in
 * one BLOB. One row per run instead of one per reading is what lets the outbox take and give back readings at
 * the speed of the disk rather than of the JDBC driver's per-value calls (docs/adr/0029).
 *
 * <p>BLOB layout, version 1 (all integers unsigned LEB128 varints unless said otherwise):
 * <pre>
 *   byte    1 (the layout's version)
 *   varint  count (1..MAX_READINGS)
 *   count times:
 *     varint  channel id (table channel)
 *     varint  sample time minus the previous reading's (the first: minus 0), zigzag-encoded (may go back)
 *     byte    quality code (bits 0-6) | 0x80 when the reading has no value
 *     8 bytes the value, IEEE 754 double, big-endian; absent when bit 7 of the byte before is set
 * </pre>
 * A value that is not finite is stored as no value, as the row format stored NULL.
 */
final class ReadingBlock {
    /** Readings per block at most: a block of about 11 KiB, a few pages. */
    static final int MAX_READINGS = 1024;
    private static final int FORMAT = 1;
    private static final int NO_VALUE = 0x80;

    private final long firstSeq;
    private final int[] channels;
    private final long[] times;
    private final double[] values;
    private final int[] qualities;

    private ReadingBlock(long firstSeq, int[] channels, long[] times, double[] values, int[] qualities) {
        this.firstSeq = firstSeq;
        this.channels = channels;
        this.times = times;
        this.values = values;
        this.qualities = qualities;
    }

    long firstSeq() {
        return firstSeq;
    }

    long lastSeq() {
        return firstSeq + channels.length - 1;
    }

    int size() {
        return channels.length;
    }

    long seq(int i) {
        return firstSeq + i;
    }

    int channelId(int i) {
        return channels[i];
    }

    long timestamp(int i) {
        return times[i];
    }

    /** The value, NaN when there is none. */
    double value(int i) {
        return values[i];
    }

    int quality(int i) {
        return qualities[i];
    }

    /**
     * Packs {@code readings[from, to)}, whose channels have the ids {@code channelIds[from, to)}.
     *
     * @throws IllegalArgumentException for an empty or too large run
     */
    static byte[] encode(List<NewReading> readings, int[] channelIds, int from, int to) {
        int n = to - from;
        if (n < 1 || n > MAX_READINGS) {
            throw new IllegalArgumentException("a block holds 1.." + MAX_READINGS + " readings, got " + n);
        }
        // at most 5 (id) + 10 (time) + 1 + 8 bytes per reading
        Writer out = new Writer(8 + n * 24);
        out.put(FORMAT);
        out.varint(n);
        long previous = 0;
        for (int i = from; i < to; i++) {
            NewReading r = readings.get(i);
            out.varint(channelIds[i]);
            long delta = r.timestampMillis() - previous;
            out.varint((delta << 1) ^ (delta >> 63));
            previous = r.timestampMillis();
            double v = r.value();
            if (Double.isFinite(v)) {
                out.put(r.qualityCode());
                out.putLong(Double.doubleToRawLongBits(v));
            } else {
                out.put(r.qualityCode() | NO_VALUE);
            }
        }
        return out.bytes();
    }

    /** Unpacks a block whose first reading has sequence number {@code firstSeq}. */
    static ReadingBlock decode(long firstSeq, byte[] data) throws DamagedBlockException {
        if (data == null || data.length < 2) {
            throw new DamagedBlockException(firstSeq, "it is " + (data == null ? "missing" : "too short"));
        }
        Reader in = new Reader(firstSeq, data);
        int format = in.get();
        if (format != FORMAT) {
            throw new DamagedBlockException(firstSeq, "unknown layout " + format);
        }
        long count = in.varint();
        if (count < 1 || count > MAX_READINGS) {
            throw new DamagedBlockException(firstSeq, "count " + count + " is out of 1.." + MAX_READINGS);
        }
        int n = (int) count;
        int[] channels = new int[n];
        long[] times = new long[n];
        double[] values = new double[n];
        int[] qualities = new int[n];
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long id = in.varint();
            if (id < 0 || id > Integer.MAX_VALUE) {
                throw new DamagedBlockException(firstSeq, "channel id " + id + " is out of range");
            }
            channels[i] = (int) id;
            long zigzag = in.varint();
            previous += (zigzag >>> 1) ^ -(zigzag & 1);
            times[i] = previous;
            int flags = in.get();
            qualities[i] = flags & 0x7F;
            values[i] = (flags & NO_VALUE) != 0 ? Double.NaN : Double.longBitsToDouble(in.getLong());
        }
        if (in.remaining() != 0) {
            throw new DamagedBlockException(firstSeq, in.remaining() + " bytes follow the last reading");
        }
        return new ReadingBlock(firstSeq, channels, times, values, qualities);
    }

    /** A block whose BLOB does not follow the layout: the file is damaged (or written by something else). */
    static final class DamagedBlockException extends Exception {
        private static final long serialVersionUID = 1L;

        DamagedBlockException(long firstSeq, String problem) {
            super("the block of readings from seq " + firstSeq + " is damaged: " + problem);
        }
    }

    private static final class Writer {
        private byte[] buf;
        private int len;

        Writer(int capacity) {
            buf = new byte[capacity];
        }

        void put(int b) {
            buf[len++] = (byte) b;
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        void putLong(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }
    }

    private static final class Reader {
        private final long firstSeq;
        private final byte[] data;
        private int pos;

        Reader(long firstSeq, byte[] data) {
            this.firstSeq = firstSeq;
            this.data = data;
        }

        int get() throws DamagedBlockException {
            if (pos >= data.length) {
                throw new DamagedBlockException(firstSeq, "it ends early, at byte " + pos);
            }
            return data[pos++] & 0xFF;
        }

        long varint() throws DamagedBlockException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = get();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new DamagedBlockException(firstSeq, "a number at byte " + pos + " is longer than 10 bytes");
        }

        long getLong() throws DamagedBlockException {
            if (data.length - pos < 8) {
                throw new DamagedBlockException(firstSeq, "a value is cut at byte " + pos);
            }
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (data[pos++] & 0xFFL);
            }
            return v;
        }

        int remaining() {
            return data.length - pos;
        }
    }
}
