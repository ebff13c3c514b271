package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MqttInboundFilterTest {
    private static final int LIMIT = 1000;
    private static final byte[] MARKER = "DROPPED".getBytes(StandardCharsets.US_ASCII);

    /** What the filter told its monitor. */
    private static final class Recorder implements MqttInboundFilter.Monitor {
        final List<String> dropped = new ArrayList<>();
        long inbound;

        @Override
        public void inbound() {
            inbound++;
        }

        @Override
        public byte[] oversized(String topic, int qos, int packetId, long payloadBytes) {
            dropped.add(topic + " qos=" + qos + " id=" + packetId + " bytes=" + payloadBytes);
            return MARKER;
        }
    }

    /**
     * The socket: hands out at most the next chunk size per read (cycling), and throws a read timeout once at
     * each of the given offsets before the byte there is read.
     */
    private static final class ChoppyStream extends InputStream {
        private final byte[] data;
        private final int[] chunks;
        private final List<Integer> timeoutsAt;
        private int pos;
        private int chunk;

        ChoppyStream(byte[] data, int[] chunks, List<Integer> timeoutsAt) {
            this.data = data;
            this.chunks = chunks;
            this.timeoutsAt = new ArrayList<>(timeoutsAt);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (timeoutsAt.remove(Integer.valueOf(pos))) {
                throw new SocketTimeoutException("Read timed out");
            }
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunks[chunk++ % chunks.length]), data.length - pos);
            int next = timeoutsAt.stream().filter(t -> t > pos).min(Integer::compare).orElse(Integer.MAX_VALUE);
            n = Math.min(n, next - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    static byte[] publish(String topic, int qos, int packetId, byte[] payload, boolean retain) {
        ByteArrayOutputStream variable = new ByteArrayOutputStream();
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        variable.write(t.length >>> 8);
        variable.write(t.length & 0xFF);
        variable.writeBytes(t);
        if (qos > 0) {
            variable.write(packetId >>> 8);
            variable.write(packetId & 0xFF);
        }
        variable.writeBytes(payload);
        return packet(0x30 | (qos << 1) | (retain ? 1 : 0), variable.toByteArray());
    }

    static byte[] packet(int first, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        out.writeBytes(MqttInboundFilter.encodeVarint(body.length));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static final byte[] PUBACK_7 = packet(0x40, new byte[] {0, 7});
    private static final byte[] PINGRESP = packet(0xD0, new byte[0]);

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] payload(int n) {
        byte[] p = new byte[n];
        new Random(n).nextBytes(p);
        return p;
    }

    /** Reads everything the way Paho does (small reads, retrying after a read timeout). */
    private static byte[] readAll(InputStream in, int readSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[readSize];
        int timeouts = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer, 0, buffer.length);
            } catch (SocketTimeoutException e) {
                if (++timeouts > 10_000) {
                    throw e;
                }
                continue;
            }
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(buffer, 0, n);
        }
    }

    private static byte[] filtered(byte[] wire, Recorder recorder, int[] chunks, List<Integer> timeouts, int readSize)
            throws IOException {
        return readAll(new MqttInboundFilter(new ChoppyStream(wire, chunks, timeouts), LIMIT, false, recorder),
                readSize);
    }

    @Test
    void packets_within_the_limit_pass_byte_for_byte() throws IOException {
        byte[] wire = concat(packet(0x20, new byte[] {0, 0}), publish("callidus/v1/U/cmd", 0, 0, payload(10), false),
                PUBACK_7, publish("callidus/v1/U/cmd", 1, 513, payload(LIMIT), true),
                publish("callidus/v1/U/file/chunk", 2, 65535, payload(0), false), PINGRESP,
                packet(0x90, new byte[] {0, 1, 1}));
        Recorder recorder = new Recorder();
        assertArrayEquals(wire, filtered(wire, recorder, new int[] {1 << 16}, List.of(), 4096));
        assertEquals(List.of(), recorder.dropped);
        assertTrue(recorder.inbound > 0);
    }

    @Test
    void a_publish_one_byte_over_the_limit_reaches_the_client_with_the_marker_instead_of_its_payload()
            throws IOException {
        for (int qos = 0; qos <= 2; qos++) {
            Recorder recorder = new Recorder();
            byte[] wire = concat(publish("callidus/v1/U/cmd", qos, 42, payload(LIMIT + 1), true), PUBACK_7);
            byte[] expected = concat(publish("callidus/v1/U/cmd", qos, 42, MARKER, true), PUBACK_7);
            assertArrayEquals(expected, filtered(wire, recorder, new int[] {1 << 16}, List.of(), 4096), "qos " + qos);
            assertEquals(List.of("callidus/v1/U/cmd qos=" + qos + " id=" + (qos > 0 ? 42 : 0) + " bytes="
                    + (LIMIT + 1)), recorder.dropped);
        }
    }

    @Test
    void the_limit_applies_to_the_payload_not_to_the_topic_or_packet_id() throws IOException {
        String longTopic = "t/" + "x".repeat(3000);
        byte[] wire = publish(longTopic, 1, 9, payload(LIMIT), false);
        Recorder recorder = new Recorder();
        assertArrayEquals(wire, filtered(wire, recorder, new int[] {7}, List.of(), 100));
        assertEquals(List.of(), recorder.dropped);
    }

    @Test
    void every_length_of_the_remaining_length_field_is_read() throws IOException {
        // remaining lengths of 1, 2, 3 and 4 bytes: 127 / 128, 16383 / 16384, 2097151 / 2097152
        for (int size : new int[] {100, 200, 16_000, 20_000, 2_097_000, 2_100_000}) {
            Recorder recorder = new Recorder();
            byte[] wire = concat(publish("a/b", 1, 1, payload(size), false), PINGRESP);
            byte[] out = filtered(wire, recorder, new int[] {3, 1, 65536}, List.of(), 8192);
            if (size <= LIMIT) {
                assertArrayEquals(wire, out, "size " + size);
            } else {
                assertArrayEquals(concat(publish("a/b", 1, 1, MARKER, false), PINGRESP), out, "size " + size);
                assertEquals(List.of("a/b qos=1 id=1 bytes=" + size), recorder.dropped);
            }
        }
    }

    @Test
    void a_packet_split_across_reads_and_read_timeouts_is_put_together_again() throws IOException {
        byte[] wire = concat(publish("callidus/v1/U/cmd", 1, 300, payload(500), false),
                publish("callidus/v1/U/cmd", 1, 301, payload(5000), false), PUBACK_7);
        byte[] expected = concat(publish("callidus/v1/U/cmd", 1, 300, payload(500), false),
                publish("callidus/v1/U/cmd", 1, 301, MARKER, false), PUBACK_7);
        List<Integer> everywhere = new ArrayList<>();
        for (int i = 0; i < wire.length; i += 3) {
            everywhere.add(i);
        }
        Recorder recorder = new Recorder();
        assertArrayEquals(expected, filtered(wire, recorder, new int[] {1, 2, 5}, everywhere, 3));
        assertEquals(1, recorder.dropped.size());
    }

    @Property(tries = 200)
    void any_fragmentation_gives_the_same_bytes(@ForAll @IntRange(min = 1, max = 50) int chunk,
                                                @ForAll @IntRange(min = 1, max = 64) int readSize,
                                                @ForAll @IntRange(min = 0, max = 3000) int bigSize,
                                                @ForAll @IntRange(min = 0, max = 2) int qos) throws IOException {
        byte[] big = payload(bigSize);
        byte[] wire = concat(PINGRESP, publish("x/y/z", qos, 77, big, false), PUBACK_7,
                publish("x", 0, 0, payload(3), false));
        byte[] expected = concat(PINGRESP, publish("x/y/z", qos, 77, bigSize > LIMIT ? MARKER : big, false),
                PUBACK_7, publish("x", 0, 0, payload(3), false));
        assertArrayEquals(expected, filtered(wire, new Recorder(), new int[] {chunk, 1, chunk * 3},
                List.of(1, wire.length / 2), readSize));
    }

    @Test
    void another_packet_type_over_the_limit_ends_the_connection() {
        byte[] wire = packet(0x90, payload(LIMIT + 1));
        IOException e = assertThrows(IOException.class, () -> filtered(wire, new Recorder(), new int[] {100},
                List.of(), 100));
        assertTrue(e.getMessage().contains("type 9"), e.getMessage());
    }

    @Test
    void a_malformed_header_ends_the_connection() {
        byte[] fiveByteLength = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        assertThrows(IOException.class, () -> filtered(fiveByteLength, new Recorder(), new int[] {1}, List.of(), 10));
        byte[] qos3 = packet(0x36, new byte[] {0, 1, 'a', 0, 1});
        assertThrows(IOException.class, () -> filtered(qos3, new Recorder(), new int[] {10}, List.of(), 10));
        byte[] topicLongerThanPacket = packet(0x30, new byte[] {0, 50, 'a', 'b'});
        assertThrows(IOException.class, () -> filtered(topicLongerThanPacket, new Recorder(), new int[] {10},
                List.of(), 10));
    }

    @Test
    void the_end_of_the_stream_inside_a_packet_is_an_error_and_between_packets_the_end() throws IOException {
        byte[] wire = publish("a", 0, 0, payload(50), false);
        assertThrows(EOFException.class, () -> filtered(Arrays.copyOf(wire, wire.length - 1), new Recorder(),
                new int[] {100}, List.of(), 100));
        assertThrows(EOFException.class, () -> filtered(Arrays.copyOf(wire, 2), new Recorder(), new int[] {100},
                List.of(), 100));
        byte[] oversized = publish("a", 0, 0, payload(LIMIT + 50), false);
        assertThrows(EOFException.class, () -> filtered(Arrays.copyOf(oversized, oversized.length - 1),
                new Recorder(), new int[] {100}, List.of(), 100));
        assertArrayEquals(new byte[0], filtered(new byte[0], new Recorder(), new int[] {1}, List.of(), 10));
    }

    @Test
    void mqtt5_properties_stay_with_the_header_of_a_dropped_publish() throws IOException {
        byte[] properties = {3, 0x01, 0x01, 0x23}; // length 3: payload format indicator 1, then a 1-byte stray
        ByteArrayOutputStream variable = new ByteArrayOutputStream();
        variable.writeBytes(new byte[] {0, 3, 'a', '/', 'b', 0, 5});
        variable.writeBytes(properties);
        byte[] head = variable.toByteArray();
        byte[] wire = packet(0x32, concat(head, payload(LIMIT + 10)));
        byte[] expected = packet(0x32, concat(head, MARKER));
        Recorder recorder = new Recorder();
        byte[] out = readAll(new MqttInboundFilter(new ChoppyStream(wire, new int[] {2}, List.of()), LIMIT, true,
                recorder), 50);
        assertArrayEquals(expected, out);
        assertEquals(List.of("a/b qos=1 id=5 bytes=" + (LIMIT + 10)), recorder.dropped);
    }

    @Test
    void a_huge_message_is_skipped_in_small_pieces_without_being_held() throws IOException {
        long size = 250L * 1024 * 1024; // near the largest MQTT packet (256 MiB), far more than the heap wants twice
        byte[] head = publish("callidus/v1/U/cmd", 1, 3, new byte[0], false);
        // the header of a PUBLISH announcing `size` payload bytes, then the payload streamed from nowhere
        byte[] topicAndId = Arrays.copyOfRange(head, 2, head.length);
        byte[] fixed = concat(new byte[] {0x32}, MqttInboundFilter.encodeVarint(topicAndId.length + size), topicAndId);
        InputStream wire = new InputStream() {
            long left = size + PUBACK_7.length;
            int pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos < fixed.length) {
                    int n = Math.min(len, fixed.length - pos);
                    System.arraycopy(fixed, pos, b, off, n);
                    pos += n;
                    return n;
                }
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    long fromEnd = left - i;
                    b[off + i] = fromEnd <= PUBACK_7.length ? PUBACK_7[(int) (PUBACK_7.length - fromEnd)] : 0x55;
                }
                left -= n;
                return n;
            }
        };
        Recorder recorder = new Recorder();
        byte[] out = readAll(new MqttInboundFilter(wire, LIMIT, false, recorder), 4096);
        assertArrayEquals(concat(publish("callidus/v1/U/cmd", 1, 3, MARKER, false), PUBACK_7), out);
        assertEquals(List.of("callidus/v1/U/cmd qos=1 id=3 bytes=" + size), recorder.dropped);
    }

    @Test
    void a_connack_is_reported_with_its_code_and_layout_and_passes_unchanged() throws IOException {
        byte[] refused311 = {0x20, 0x02, 0x00, 0x01};
        byte[] refused5 = {0x20, 0x03, 0x00, (byte) 0x84, 0x00};
        byte[] accepted5 = {0x20, 0x08, 0x00, 0x00, 0x05, 0x22, 0x00, 0x0A, 0x21, 0x00};
        for (byte[] connack : new byte[][] {refused311, refused5, accepted5}) {
            List<String> seen = new ArrayList<>();
            MqttInboundFilter.Monitor monitor = new MqttInboundFilter.Monitor() {
                @Override
                public void inbound() {
                }

                @Override
                public byte[] oversized(String topic, int qos, int packetId, long payloadBytes) {
                    throw new AssertionError("nothing oversized");
                }

                @Override
                public void connack(int code, long remainingLength) {
                    seen.add(code + "/" + remainingLength);
                }
            };
            byte[] out = readAll(new MqttInboundFilter(new ChoppyStream(connack, new int[] {1}, List.of(2)), LIMIT,
                    true, monitor), 1);
            assertArrayEquals(connack, out);
            assertEquals(List.of((connack[3] & 0xFF) + "/" + connack[1]), seen);
        }
    }
}
