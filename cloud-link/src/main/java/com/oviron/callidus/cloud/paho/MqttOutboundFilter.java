package com.oviron.callidus.cloud.paho;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The unit's byte stream to the broker as the MQTT client writes it: every byte is handed on and counted, and an
 * MQTT 5 CONNECT (the first packet of a connection) gets the Maximum Packet Size property (0x27), so that the
 * broker itself drops what the unit would not read ({@link MqttInboundFilter}).
 *
 * <p>Why not through the client's own option: Paho's MQTT 5 client 1.2.5 mixes up the two directions of Maximum
 * Packet Size (eclipse-paho/paho.mqtt.java#987): the limit set in its options is applied to the packets it sends,
 * and a larger publish ends the connection. Adding the property on the wire tells the broker without Paho knowing.
 *
 * <p>Only the first packet is looked at, and only while it is complete in at most {@value #MAX_CONNECT} bytes: a
 * CONNECT that is not MQTT 5, or too large to hold, passes unchanged.
 */
final class MqttOutboundFilter extends OutputStream {
    static final int CONNECT = 1;
    static final int MAXIMUM_PACKET_SIZE = 0x27;
    private static final int MAX_CONNECT = 64 * 1024;

    /** Told about the stream; called on the writing thread, must return at once. */
    interface Monitor {
        /** {@code bytes} were written towards the broker. */
        void outbound(int bytes);
    }

    private final OutputStream out;
    private final long maximumPacketSize;
    private final Monitor monitor;
    private ByteArrayOutputStream first = new ByteArrayOutputStream();

    /** @param maximumPacketSize the value to announce in an MQTT 5 CONNECT; 0: none */
    MqttOutboundFilter(OutputStream out, long maximumPacketSize, Monitor monitor) {
        if (maximumPacketSize < 0 || maximumPacketSize > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("maximum packet size out of range: " + maximumPacketSize);
        }
        this.out = out;
        this.maximumPacketSize = maximumPacketSize;
        this.monitor = monitor;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (first == null) {
            send(b, off, len);
            return;
        }
        first.write(b, off, len);
        byte[] held = first.toByteArray();
        long total = packetLength(held);
        if (total == 0) {
            return; // the fixed header is not complete yet
        }
        if (total < 0 || total > MAX_CONNECT) {
            first = null;
            send(held, 0, held.length);
            return;
        }
        if (held.length < total) {
            return;
        }
        first = null;
        byte[] packet = rewrite(Arrays.copyOf(held, (int) total), maximumPacketSize);
        send(packet, 0, packet.length);
        send(held, (int) total, held.length - (int) total);
    }

    private void send(byte[] b, int off, int len) throws IOException {
        if (len > 0) {
            out.write(b, off, len);
            monitor.outbound(len);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The whole packet's length from its fixed header; 0 while incomplete; -1 if malformed. */
    static long packetLength(byte[] held) {
        if (held.length < 2) {
            return 0;
        }
        long value = 0;
        for (int i = 1; i <= 4; i++) {
            if (i >= held.length) {
                return 0;
            }
            int b = held[i] & 0xFF;
            value |= (long) (b & 0x7F) << (7 * (i - 1));
            if ((b & 0x80) == 0) {
                return 1 + i + value;
            }
        }
        return -1;
    }

    /**
     * The packet with Maximum Packet Size added to its properties, if it is an MQTT 5 CONNECT and {@code maximum}
     * is not 0; otherwise the packet itself.
     */
    static byte[] rewrite(byte[] packet, long maximum) {
        if (maximum == 0 || ((packet[0] & 0xFF) >>> 4) != CONNECT) {
            return packet;
        }
        int rlBytes = 1;
        while ((packet[rlBytes] & 0x80) != 0) {
            rlBytes++;
        }
        int pos = 1 + rlBytes;
        if (packet.length < pos + 2) {
            return packet;
        }
        int nameLength = ((packet[pos] & 0xFF) << 8) | (packet[pos + 1] & 0xFF);
        int level = pos + 2 + nameLength;
        int properties = level + 4; // level, flags, keep alive (2)
        if (packet.length <= properties || packet[level] != 5) {
            return packet;
        }
        long oldLength = 0;
        int lengthBytes = 0;
        while (true) {
            if (properties + lengthBytes >= packet.length || lengthBytes == 4) {
                return packet; // malformed: leave it to the broker to say so
            }
            int b = packet[properties + lengthBytes] & 0xFF;
            oldLength |= (long) (b & 0x7F) << (7 * lengthBytes);
            lengthBytes++;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        byte[] added = {(byte) MAXIMUM_PACKET_SIZE, (byte) (maximum >>> 24), (byte) (maximum >>> 16),
                (byte) (maximum >>> 8), (byte) maximum};
        byte[] newLength = MqttInboundFilter.encodeVarint(oldLength + added.length);
        long remaining = packet.length - 1 - rlBytes - lengthBytes + newLength.length + added.length;
        byte[] rl = MqttInboundFilter.encodeVarint(remaining);
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream(packet.length + 8);
        rewritten.write(packet[0]);
        rewritten.write(rl, 0, rl.length);
        rewritten.write(packet, 1 + rlBytes, properties - 1 - rlBytes);
        rewritten.write(newLength, 0, newLength.length);
        rewritten.write(added, 0, added.length);
        rewritten.write(packet, properties + lengthBytes, packet.length - properties - lengthBytes);
        return rewritten.toByteArray();
    }
}
