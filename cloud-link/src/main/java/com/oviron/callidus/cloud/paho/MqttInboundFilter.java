package com.oviron.callidus.cloud.paho;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The broker's byte stream as the MQTT client reads it, with a bound on what one message may cost. It parses
 * the fixed header of every control packet (and the variable header of a PUBLISH) and hands every byte on
 * unchanged, except for a PUBLISH whose payload is larger than {@code maxPayload}: its payload is read from
 * the socket in small pieces and thrown away, and the client gets the same PUBLISH (same topic, QoS, flags and
 * packet id, so it acknowledges it and the broker stops redelivering) with a short marker as its payload (see
 * {@link Monitor#oversized}). Any other packet type larger than {@code maxPayload} is a broken or hostile
 * broker: reading fails with an {@link IOException}, which ends the connection.
 *
 * <p>Every byte read from the socket is reported to {@link Monitor#inbound()}: the link's watchdog measures the
 * broker's silence with it. The parser only depends on the MQTT wire format (3.1.1, or 5 with its
 * properties), not on a client library. The state survives an exception of the underlying stream (a socket
 * read timeout in the middle of a packet): the next read goes on where the last one stopped. A header is
 * handed on only once it is complete, so a read timeout never falls between the bytes of a header the client
 * reads.
 */
final class MqttInboundFilter extends InputStream {
    static final int PUBLISH = 3;
    static final int CONNACK = 2;
    private static final int SKIP_PIECE = 8 * 1024;

    /** Told about the stream; called on the reading thread, must return at once. */
    interface Monitor {
        /** Bytes arrived from the broker. */
        void inbound();

        /** {@code bytes} arrived from the broker; by default {@link #inbound()}. */
        default void inbound(int bytes) {
            inbound();
        }

        /**
         * The broker answered the CONNECT: the CONNACK's return code (3.1.1) or reason code (5), and its remaining
         * length (2 in 3.1.1; at least 3 in MQTT 5, which adds properties). By default nothing.
         */
        default void connack(int code, long remainingLength) {
        }

        /**
         * A PUBLISH too large to read arrived; returns the payload to hand on in its place (a marker the
         * receiver recognises).
         */
        byte[] oversized(String topic, int qos, int packetId, long payloadBytes);
    }

    private final InputStream in;
    private final int maxPayload;
    private final boolean mqtt5;
    private final Monitor monitor;

    // header being read; all fields survive an exception of the underlying stream
    private byte[] head = new byte[16];
    private int headLen;
    private byte[] out = new byte[0];
    private int outPos;
    private long passThrough;
    private long toSkip;
    private byte[] scratch;

    MqttInboundFilter(InputStream in, int maxPayload, boolean mqtt5, Monitor monitor) {
        if (maxPayload < 1) {
            throw new IllegalArgumentException("maxPayload must be positive, got " + maxPayload);
        }
        this.in = in;
        this.maxPayload = maxPayload;
        this.mqtt5 = mqtt5;
        this.monitor = monitor;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (outPos < out.length) {
                int n = Math.min(len, out.length - outPos);
                System.arraycopy(out, outPos, b, off, n);
                outPos += n;
                return n;
            }
            if (passThrough > 0) {
                int n = in.read(b, off, (int) Math.min(len, passThrough));
                if (n < 0) {
                    throw new EOFException("the broker's stream ended inside a packet");
                }
                if (n > 0) {
                    monitor.inbound(n);
                }
                passThrough -= n;
                return n;
            }
            if (toSkip > 0) {
                skipPayload();
                continue;
            }
            if (!readHeader()) {
                return -1;
            }
        }
    }

    @Override
    public int available() throws IOException {
        int ready = out.length - outPos;
        if (passThrough > 0) {
            ready += (int) Math.min(in.available(), passThrough);
        }
        return ready;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void skipPayload() throws IOException {
        if (scratch == null) {
            scratch = new byte[SKIP_PIECE];
        }
        while (toSkip > 0) {
            int n = in.read(scratch, 0, (int) Math.min(scratch.length, toSkip));
            if (n < 0) {
                throw new EOFException("the broker's stream ended inside an oversized message");
            }
            if (n > 0) {
                monitor.inbound(n);
            }
            toSkip -= n;
        }
        scratch = null;
    }

    /** Reads the next packet's header into {@code out}; false at the end of the stream between packets. */
    private boolean readHeader() throws IOException {
        int needed;
        while ((needed = needed()) > 0) {
            if (head.length < headLen + needed) {
                head = java.util.Arrays.copyOf(head, Math.max(head.length * 2, headLen + needed));
            }
            int n = in.read(head, headLen, needed);
            if (n < 0) {
                if (headLen == 0) {
                    return false;
                }
                throw new EOFException("the broker's stream ended inside a packet header");
            }
            if (n > 0) {
                monitor.inbound(n);
            }
            headLen += n;
        }
        finishHeader();
        headLen = 0;
        return true;
    }

    /** How many more bytes the header needs, from what is there; 0 when it is complete. */
    private int needed() throws IOException {
        if (headLen == 0) {
            return 1;
        }
        int rlBytes = 0;
        while (true) {
            if (1 + rlBytes >= headLen) {
                return 1;
            }
            int b = head[1 + rlBytes] & 0xFF;
            rlBytes++;
            if ((b & 0x80) == 0) {
                break;
            }
            if (rlBytes == 4) {
                throw new IOException("malformed MQTT remaining length from the broker");
            }
        }
        long remaining = varint(head, 1);
        int type = (head[0] & 0xFF) >>> 4;
        int fixed = 1 + rlBytes;
        if (type != PUBLISH) {
            if (remaining > maxPayload) {
                throw new IOException("the broker sent a packet of type " + type + " with " + remaining
                        + " bytes; at most " + maxPayload + " accepted");
            }
            // a CONNACK's flags and code are read with its header, for the monitor
            int wanted = type == CONNACK ? fixed + (int) Math.min(2, remaining) : fixed;
            return Math.max(0, wanted - headLen);
        }
        int qos = (head[0] >>> 1) & 0x03;
        if (qos == 3) {
            throw new IOException("malformed MQTT PUBLISH from the broker: QoS 3");
        }
        int pos = fixed;
        if (headLen < pos + 2) {
            return pos + 2 - headLen;
        }
        int topicLen = ((head[pos] & 0xFF) << 8) | (head[pos + 1] & 0xFF);
        pos += 2 + topicLen + (qos > 0 ? 2 : 0);
        if (pos - fixed > remaining) {
            throw new IOException("malformed MQTT PUBLISH from the broker: its header is longer than the packet");
        }
        if (headLen < pos) {
            return pos - headLen;
        }
        if (mqtt5) {
            int propertyLengthBytes = 0;
            while (true) {
                if (pos + propertyLengthBytes >= headLen) {
                    return 1;
                }
                int b = head[pos + propertyLengthBytes] & 0xFF;
                propertyLengthBytes++;
                if ((b & 0x80) == 0) {
                    break;
                }
                if (propertyLengthBytes == 4) {
                    throw new IOException("malformed MQTT 5 property length from the broker");
                }
            }
            long properties = varint(head, pos);
            if (properties > maxPayload) {
                throw new IOException("the broker sent a PUBLISH with " + properties + " bytes of properties; at most "
                        + maxPayload + " accepted");
            }
            pos += propertyLengthBytes + (int) properties;
            if (pos - fixed > remaining) {
                throw new IOException("malformed MQTT PUBLISH from the broker: its header is longer than the packet");
            }
            if (headLen < pos) {
                return pos - headLen;
            }
        }
        return 0;
    }

    /** The header is complete: decide what the client gets. */
    private void finishHeader() {
        int rlBytes = 1;
        while ((head[rlBytes] & 0x80) != 0) {
            rlBytes++;
        }
        long remaining = varint(head, 1);
        int fixed = 1 + rlBytes;
        int variable = headLen - fixed;
        long payload = remaining - variable;
        int type = (head[0] & 0xFF) >>> 4;
        if (type == CONNACK && remaining >= 2) {
            monitor.connack(head[fixed + 1] & 0xFF, remaining);
        }
        if (type != PUBLISH || payload <= maxPayload) {
            out = java.util.Arrays.copyOf(head, headLen);
            outPos = 0;
            passThrough = payload;
            return;
        }
        int qos = (head[0] >>> 1) & 0x03;
        int topicLen = ((head[fixed] & 0xFF) << 8) | (head[fixed + 1] & 0xFF);
        String topic = new String(head, fixed + 2, topicLen, StandardCharsets.UTF_8);
        int packetId = qos > 0 ? ((head[fixed + 2 + topicLen] & 0xFF) << 8) | (head[fixed + 3 + topicLen] & 0xFF) : 0;
        byte[] marker = monitor.oversized(topic, qos, packetId, payload);
        byte[] length = encodeVarint(variable + marker.length);
        out = new byte[1 + length.length + variable + marker.length];
        out[0] = head[0];
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(head, fixed, out, 1 + length.length, variable);
        System.arraycopy(marker, 0, out, 1 + length.length + variable, marker.length);
        outPos = 0;
        passThrough = 0;
        toSkip = payload;
    }

    private static long varint(byte[] bytes, int from) {
        long value = 0;
        int shift = 0;
        for (int i = from; ; i++) {
            int b = bytes[i] & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
            shift += 7;
        }
    }

    static byte[] encodeVarint(long value) {
        byte[] buffer = new byte[4];
        int n = 0;
        do {
            int digit = (int) (value % 128);
            value /= 128;
            if (value > 0) {
                digit |= 0x80;
            }
            buffer[n++] = (byte) digit;
        } while (value > 0);
        return java.util.Arrays.copyOf(buffer, n);
    }
}
