package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GatedMqttConnectionTest {

    @Test
    void a_closed_gate_looks_like_a_lost_connection_and_opening_it_like_a_reconnect() {
        FakeMqttConnection fake = new FakeMqttConnection();
        AtomicBoolean allowed = new AtomicBoolean(false);
        GatedMqttConnection gated = new GatedMqttConnection(fake, allowed::get);
        List<String> seen = new ArrayList<>();
        gated.addListener(new ConnectionListener() {
            @Override
            public void connected() {
                seen.add("up");
            }

            @Override
            public void disconnected(String reason) {
                seen.add("down");
            }
        });
        fake.connect();
        assertFalse(gated.isConnected());
        assertTrue(gated.publish("t", new byte[0], 1, false).isCompletedExceptionally());
        assertEquals(0, fake.publishes().size());
        assertEquals(List.of(), seen, "never up, so never told");

        allowed.set(true);
        gated.recheck();
        assertTrue(gated.isConnected());
        gated.publish("t", new byte[] {1}, 1, false);
        assertEquals(1, fake.publishes().size());
        assertEquals(List.of("up"), seen);

        allowed.set(false);
        gated.recheck();
        assertEquals(List.of("up", "down"), seen);
        allowed.set(true);
        gated.recheck();
        fake.disconnect("cut");
        fake.connect();
        assertEquals(List.of("up", "down", "up", "down", "up"), seen);
        gated.recheck();
        assertEquals(5, seen.size(), "no news, no call");
    }

    @Test
    void messages_in_pass_through_whatever_the_gate_says() {
        FakeMqttConnection fake = new FakeMqttConnection();
        GatedMqttConnection gated = new GatedMqttConnection(fake, () -> false);
        List<String> got = new ArrayList<>();
        gated.subscribe("a/#", 1, (topic, payload) -> got.add(topic));
        fake.connect();
        fake.deliver("a/b", new byte[0]);
        assertEquals(List.of("a/b"), got);
    }
}
