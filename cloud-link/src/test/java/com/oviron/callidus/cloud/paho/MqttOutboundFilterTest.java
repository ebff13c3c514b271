package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttConnect;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;
import org.junit.jupiter.api.Test;

class MqttOutboundFilterTest {
    private static final long MAX = 135_168;

    /** The CONNECT Paho's MQTT 5 client writes, made by Paho itself: session expiry, a will, a user name. */
    private static byte[] paho5Connect(int willPayloadBytes) throws Exception {
        MqttProperties properties = new MqttProperties();
        properties.setSessionExpiryInterval(604_800L);
        MqttConnect connect = new MqttConnect("CAL-000123", 5, false, 30, properties, new MqttProperties());
        connect.setWillDestination("callidus/v1/CAL-000123/status");
        connect.setWillMessage(new MqttMessage(new byte[willPayloadBytes], 1, true, new MqttProperties()));
        connect.setUserName("unit");
        return concat(connect.getHeader(), connect.getPayload());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] through(byte[] wire, long maximum, int[] pieces, AtomicLong counted) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MqttOutboundFilter filter = new MqttOutboundFilter(out, maximum, counted::addAndGet);
        int pos = 0;
        int i = 0;
        while (pos < wire.length) {
            int n = Math.min(pieces[i++ % pieces.length], wire.length - pos);
            filter.write(wire, pos, n);
            pos += n;
        }
        filter.flush();
        return out.toByteArray();
    }

    @Test
    void an_mqtt5_connect_gets_the_maximum_packet_size_and_keeps_everything_else() throws Exception {
        byte[] original = paho5Connect(150);
        AtomicLong counted = new AtomicLong();
        byte[] sent = through(original, MAX, new int[] {original.length}, counted);
        assertEquals(original.length + 5, sent.length);
        assertEquals(sent.length, counted.get(), "what went on the wire is counted");
        MqttConnect parsed = (MqttConnect) MqttWireMessage.createWireMessage(sent);
        assertEquals(MAX, parsed.getProperties().getMaximumPacketSize());
        assertEquals(604_800L, parsed.getProperties().getSessionExpiryInterval());
        assertEquals("CAL-000123", parsed.getClientId());
        assertEquals("callidus/v1/CAL-000123/status", parsed.getWillDestination());
        assertEquals(150, parsed.getWillMessage().getPayload().length);
        assertEquals("unit", parsed.getUserName());
        assertEquals(30, parsed.getKeepAliveInterval());
    }

    @Test
    void the_remaining_length_may_grow_by_a_byte() throws Exception {
        // a CONNECT whose remaining length is just below 128 needs two bytes for it once the property is in
        byte[] small = paho5Connect(0);
        int filler = 124 - (small.length - 2);
        byte[] original = paho5Connect(filler);
        assertEquals(124, original[1]);
        byte[] sent = through(original, MAX, new int[] {3}, new AtomicLong());
        assertEquals(original.length + 6, sent.length);
        MqttConnect parsed = (MqttConnect) MqttWireMessage.createWireMessage(sent);
        assertEquals(MAX, parsed.getProperties().getMaximumPacketSize());
        assertEquals(filler, parsed.getWillMessage().getPayload().length);
    }

    @Property(tries = 200)
    void any_way_the_client_splits_its_writes_gives_the_same_bytes(@ForAll @IntRange(min = 1, max = 40) int a,
                                                                     @ForAll @IntRange(min = 1, max = 40) int b)
            throws Exception {
        byte[] connect = paho5Connect(60);
        byte[] publish = {0x30, 0x05, 0x00, 0x01, 'x', 0x00, 'y'};
        byte[] wire = concat(connect, publish);
        byte[] whole = through(wire, MAX, new int[] {wire.length}, new AtomicLong());
        AtomicLong counted = new AtomicLong();
        byte[] split = through(wire, MAX, new int[] {a, b}, counted);
        assertArrayEquals(whole, split);
        assertEquals(whole.length, counted.get());
        assertArrayEquals(publish, java.util.Arrays.copyOfRange(split, split.length - publish.length, split.length),
                "what follows the CONNECT passes unchanged");
    }

    @Test
    void a_3_1_1_connect_and_no_maximum_pass_unchanged() throws Exception {
        byte[] v311 = {0x10, 0x12, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x06,
                'C', 'A', 'L', '-', '0', '1'};
        assertArrayEquals(v311, through(v311, MAX, new int[] {1}, new AtomicLong()));
        byte[] v5 = paho5Connect(10);
        assertArrayEquals(v5, through(v5, 0, new int[] {7}, new AtomicLong()));
        MqttConnect parsed = (MqttConnect) MqttWireMessage.createWireMessage(through(v5, 0, new int[] {7},
                new AtomicLong()));
        assertNull(parsed.getProperties().getMaximumPacketSize());
    }

    @Test
    void a_first_packet_that_is_no_connect_passes_unchanged() throws Exception {
        byte[] ping = {(byte) 0xC0, 0x00, 0x30, 0x03, 0x00, 0x01, 'a'};
        assertArrayEquals(ping, through(ping, MAX, new int[] {1}, new AtomicLong()));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII),
                MqttOutboundFilter.rewrite("hello".getBytes(StandardCharsets.US_ASCII), MAX));
    }
}
