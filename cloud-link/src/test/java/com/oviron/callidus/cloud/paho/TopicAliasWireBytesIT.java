package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinylog.Logger;

/**
 * What MQTT 5 topic aliases save on the wire, measured at the unit's socket (MQTT bytes, inside TLS): the same
 * telemetry publishes to mosquitto with topic aliases allowed (its default, 10) and forbidden
 * ({@code max_topic_alias 0}), and in 3.1.1. The numbers are logged (docs/protocol.md quotes them); the test holds
 * the unit to what the wire format says aliases must save.
 */
class TopicAliasWireBytesIT {
    private static final int PUBLISHES = 300;
    private static final int PAYLOAD = 180; // about a one-second telemetry batch at the default sampling
    private static final String DEVICE = "CAL-000123";

    @TempDir
    Path dir;

    private static double bytesPerPublish(String uri, MqttProtocol protocol) throws Exception {
        LinkSettings settings = new LinkSettings(uri, DEVICE, Duration.ofSeconds(30), Duration.ofSeconds(10),
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), Optional.empty(), Optional.empty(), 16)
                .withProtocol(protocol);
        Topics topics = new Topics(DEVICE);
        PahoMqttConnection link = new PahoMqttConnection(settings, topics.status(), DEVICE, "test", Clock.systemUTC());
        try {
            link.start();
            Await.until("connected", Duration.ofSeconds(60), link::isConnected);
            // the online status goes out once the (no) subscriptions are answered: let it pass first
            Await.until("online status sent", Duration.ofSeconds(60), () -> link.bytesSent() > 0);
            link.publish(topics.health(), new byte[1], 1, false).get(30, TimeUnit.SECONDS);
            long before = link.bytesSent();
            for (int i = 0; i < PUBLISHES; i++) {
                link.publish(topics.telemetry(), new byte[PAYLOAD], 1, false).get(30, TimeUnit.SECONDS);
            }
            return (link.bytesSent() - before) / (double) PUBLISHES;
        } finally {
            link.close();
        }
    }

    @Test
    void topic_aliases_cut_the_topic_from_every_publish_after_the_first() throws Exception {
        double withAliases;
        double withoutAliases;
        double v311;
        try (MosquittoBroker aliases = MosquittoBroker.start(dir.resolve("aliases"));
             MosquittoBroker none = MosquittoBroker.startWith(dir.resolve("none"), "max_topic_alias 0")) {
            withAliases = bytesPerPublish(aliases.uri(), MqttProtocol.MQTT_5);
            withoutAliases = bytesPerPublish(none.uri(), MqttProtocol.MQTT_5);
            v311 = bytesPerPublish(aliases.uri(), MqttProtocol.MQTT_3_1_1);
        }
        int topic = new Topics(DEVICE).telemetry().length();
        Logger.info("topic alias bytes per telemetry publish (payload {} B, topic {} B): mqtt5 with aliases {},"
                + " mqtt5 without {}, mqtt3.1.1 {}", PAYLOAD, topic, withAliases, withoutAliases, v311);
        // 3.1.1: fixed header 3 (remaining length > 127 takes 2 bytes), topic 2 + its bytes, packet id 2
        assertEquals(3 + 2 + topic + 2 + PAYLOAD, v311, 0.01);
        // MQTT 5 without aliases: one byte more, the empty property length
        assertEquals(v311 + 1, withoutAliases, 0.01);
        // with aliases: from the second publish on, an empty topic (2 bytes) and the alias property (3 bytes)
        double expected = 3 + 2 + 2 + 1 + 3 + PAYLOAD + (double) topic / PUBLISHES;
        assertEquals(expected, withAliases, 0.5);
        assertTrue(withoutAliases - withAliases > topic - 4, "aliases save the topic less their own cost");
    }
}
