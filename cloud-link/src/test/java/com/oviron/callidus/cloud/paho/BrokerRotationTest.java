package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.paho.BrokerRotation.Choice;
import com.oviron.callidus.cloud.paho.BrokerRotation.Evidence;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerRotationTest {
    private static final List<String> THREE = List.of("ssl://a:8883", "ssl://b:8883", "ssl://c:8883");

    @Test
    void starts_with_the_first_broker_and_stays_on_one_that_works() {
        BrokerRotation r = new BrokerRotation(THREE, MqttProtocol.MQTT_5);
        Choice first = r.next();
        assertEquals(new Choice("ssl://a:8883", true), first);
        r.connected(first);
        assertEquals(first, r.next(), "connected: nothing moves");
    }

    @Test
    void a_lost_session_or_a_failed_attempt_moves_on_round_the_list() {
        BrokerRotation r = new BrokerRotation(THREE, MqttProtocol.MQTT_3_1_1);
        r.connected(r.next());
        r.lost();
        assertEquals("ssl://b:8883", r.next().uri());
        r.failed(r.next(), Evidence.NONE);
        assertEquals("ssl://c:8883", r.next().uri());
        r.failed(r.next(), Evidence.NONE);
        assertEquals("ssl://a:8883", r.next().uri(), "round the list");
        assertFalse(r.next().mqtt5());
    }

    @Test
    void a_single_broker_is_always_the_next() {
        BrokerRotation r = new BrokerRotation(List.of("tcp://only:1883"), MqttProtocol.AUTO);
        r.failed(r.next(), Evidence.NONE);
        r.lost();
        assertEquals(new Choice("tcp://only:1883", true), r.next());
    }

    @Test
    void auto_speaks_3_1_1_to_a_broker_that_refuses_version_5_and_remembers_it() {
        BrokerRotation r = new BrokerRotation(THREE, MqttProtocol.AUTO);
        Choice a5 = r.next();
        assertTrue(a5.mqtt5());
        r.failed(a5, Evidence.VERSION_REFUSED);
        Choice a311 = r.next();
        assertEquals(new Choice("ssl://a:8883", false), a311, "the same broker at once, in 3.1.1");
        r.connected(a311);
        r.lost();
        assertEquals(new Choice("ssl://b:8883", true), r.next(), "another broker is asked in 5");
        r.failed(r.next(), Evidence.NONE);
        r.failed(r.next(), Evidence.NONE);
        assertEquals(new Choice("ssl://a:8883", false), r.next(), "remembered for broker a");
        assertTrue(r.fellBackTo311("ssl://a:8883"));
    }

    @Test
    void auto_tries_3_1_1_once_after_a_broker_closed_on_the_v5_connect_and_keeps_it_if_it_connects() {
        BrokerRotation r = new BrokerRotation(List.of("tcp://rabbit:1883"), MqttProtocol.AUTO);
        assertTrue(r.failed(r.next(), Evidence.CLOSED_ON_CONNECT), "the 3.1.1 attempt goes at once");
        Choice fallback = r.next();
        assertFalse(fallback.mqtt5());
        r.connected(fallback);
        r.lost();
        assertFalse(r.next().mqtt5(), "kept after it connected");
        assertTrue(r.fellBackTo311("tcp://rabbit:1883"));
    }

    @Test
    void auto_goes_back_to_5_when_the_3_1_1_attempt_fails_too() {
        BrokerRotation r = new BrokerRotation(List.of("tcp://down:1883"), MqttProtocol.AUTO);
        assertTrue(r.failed(r.next(), Evidence.CLOSED_ON_CONNECT));
        Choice fallback = r.next();
        assertFalse(fallback.mqtt5());
        assertFalse(r.failed(fallback, Evidence.NONE), "a failure that taught nothing waits the backoff");
        assertTrue(r.next().mqtt5(), "one closed connection proved nothing");
        assertFalse(r.fellBackTo311("tcp://down:1883"));
        assertFalse(r.failed(r.next(), Evidence.CLOSED_ON_CONNECT),
                "closed again: 3.1.1 is tried again, after the backoff this time (the probe never doubles the rate)");
        assertFalse(r.next().mqtt5());
    }

    @Test
    void auto_keeps_3_1_1_for_a_broker_that_closed_on_5_and_answered_3_1_1_with_a_refusal() {
        BrokerRotation r = new BrokerRotation(THREE, MqttProtocol.AUTO);
        assertTrue(r.failed(r.next(), Evidence.CLOSED_ON_CONNECT));
        Choice fallback = r.next();
        assertEquals(new Choice("ssl://a:8883", false), fallback);
        assertFalse(r.failed(fallback, Evidence.ANSWERED), "refused (server unavailable): the backoff, next broker");
        assertTrue(r.fellBackTo311("ssl://a:8883"), "a CONNACK to a 3.1.1 CONNECT: the broker reads 3.1.1");
        assertEquals(new Choice("ssl://b:8883", true), r.next());
        r.failed(r.next(), Evidence.NONE);
        r.failed(r.next(), Evidence.NONE);
        assertEquals(new Choice("ssl://a:8883", false), r.next(), "kept for broker a");
    }

    @Test
    void a_v5_refusal_sends_the_3_1_1_attempt_at_once_and_a_plain_failure_does_not() {
        BrokerRotation r = new BrokerRotation(THREE, MqttProtocol.AUTO);
        assertTrue(r.failed(r.next(), Evidence.VERSION_REFUSED));
        assertFalse(r.failed(r.next(), Evidence.ANSWERED), "the 3.1.1 attempt was refused too: the backoff");
        assertFalse(r.failed(r.next(), Evidence.NONE), "broker b down: the backoff");
        assertFalse(r.failed(r.next(), Evidence.ANSWERED), "broker c refused 5 for another reason: the backoff");
        assertEquals(new Choice("ssl://a:8883", false), r.next(), "a in 3.1.1, learnt");
    }

    @Test
    void a_fixed_version_never_changes_whatever_the_broker_does() {
        BrokerRotation r = new BrokerRotation(List.of("tcp://x:1883"), MqttProtocol.MQTT_5);
        assertFalse(r.failed(r.next(), Evidence.VERSION_REFUSED));
        assertFalse(r.failed(r.next(), Evidence.CLOSED_ON_CONNECT));
        assertTrue(r.next().mqtt5());
    }

    @Test
    void evidence_is_read_from_what_the_socket_saw() {
        LinkGuard.Attempt refused311 = new LinkGuard.Attempt();
        refused311.tcpConnected = true;
        refused311.bytesOut = 40;
        refused311.bytesIn = 4;
        refused311.connackCode = 0x01;
        refused311.connackLength = 2;
        assertEquals(Evidence.VERSION_REFUSED, Evidence.of(refused311, false));

        LinkGuard.Attempt refused5 = new LinkGuard.Attempt();
        refused5.bytesOut = 40;
        refused5.bytesIn = 8;
        refused5.connackCode = 0x84;
        refused5.connackLength = 3;
        assertEquals(Evidence.VERSION_REFUSED, Evidence.of(refused5, false));

        LinkGuard.Attempt badPassword = new LinkGuard.Attempt();
        badPassword.bytesOut = 40;
        badPassword.bytesIn = 5;
        badPassword.connackCode = 0x86;
        badPassword.connackLength = 3;
        assertEquals(Evidence.ANSWERED, Evidence.of(badPassword, false));

        LinkGuard.Attempt closed = new LinkGuard.Attempt();
        closed.tcpConnected = true;
        closed.bytesOut = 40;
        assertEquals(Evidence.CLOSED_ON_CONNECT, Evidence.of(closed, false));
        assertEquals(Evidence.NONE, Evidence.of(closed, true), "the watchdog cut it: the broker did not close it");

        LinkGuard.Attempt noConnect = new LinkGuard.Attempt();
        noConnect.tcpConnected = true; // a TLS handshake that failed: no MQTT byte went out
        assertEquals(Evidence.NONE, Evidence.of(noConnect, false));
    }
}
