package com.oviron.callidus.cloud.paho;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttProtocol;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.cloud.testing.RabbitMqNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mqtt.protocol auto} against a broker that speaks MQTT 3.1.1 only: Debian's RabbitMQ 3.10, whose MQTT
 * plugin cannot parse a version-5 CONNECT and closes the connection without a word. The unit learns to speak 3.1.1
 * to it, and still speaks 5 to a mosquitto next to it in its broker list.
 */
class ProtocolAutoRabbitMqIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void auto_speaks_3_1_1_to_rabbitmq_and_5_to_mosquitto_in_the_same_list() throws Exception {
        String device = "CAL-AUTO-1";
        Topics topics = new Topics(device);
        try (RabbitMqNode rabbit = RabbitMqNode.start();
             MosquittoBroker mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"))) {
            LinkSettings settings = new LinkSettings(rabbit.uri(), device, Duration.ofSeconds(10), Duration.ofSeconds(10),
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), Optional.empty(), Optional.empty(), 16)
                    .withBrokers(List.of(rabbit.uri(), mosquitto.uri())).withProtocol(MqttProtocol.AUTO);
            PahoMqttConnection link = new PahoMqttConnection(settings, topics.status(), device, "test",
                    Clock.systemUTC());
            try (CloudSubscriber atRabbit = new CloudSubscriber(rabbit.uri(), "cloud-rabbit", topics.events())) {
                link.start();
                Await.until(() -> "connected to rabbitmq; now " + link.activeSession(), WAIT,
                        () -> link.activeSession().map(s -> s.brokerUri().equals(rabbit.uri())).orElse(false));
                assertEquals("3.1.1", link.activeSession().orElseThrow().protocol());
                link.publish(topics.events(), "via-rabbit".getBytes(StandardCharsets.UTF_8), 1, false)
                        .get(30, TimeUnit.SECONDS);
                Await.until("the cloud got it through rabbitmq", WAIT, () -> atRabbit.receivedOn(topics.events())
                        .stream().anyMatch(r -> new String(r.payload(), StandardCharsets.UTF_8).equals("via-rabbit")));

                rabbit.close(); // the node goes away: the next broker in the list speaks 5
                Await.until(() -> "moved to mosquitto; now " + link.activeSession(), WAIT,
                        () -> link.activeSession().map(s -> s.brokerUri().equals(mosquitto.uri())).orElse(false));
                assertEquals("5", link.activeSession().orElseThrow().protocol());
                link.publish(topics.events(), "via-mosquitto".getBytes(StandardCharsets.UTF_8), 1, false)
                        .get(30, TimeUnit.SECONDS);
            } finally {
                link.close();
            }
        }
    }

    @Test
    void the_3_1_1_attempt_follows_the_closed_v5_connect_at_once_not_after_the_backoff() throws Exception {
        String device = "CAL-AUTO-2";
        Topics topics = new Topics(device);
        try (RabbitMqNode rabbit = RabbitMqNode.start()) {
            // a first window of an hour: waiting it would leave the unit offline for up to an hour
            LinkSettings settings = new LinkSettings(rabbit.uri(), device, Duration.ofSeconds(10), Duration.ofSeconds(10),
                    new Backoff(Duration.ofHours(1), Duration.ofHours(1)), Optional.empty(), Optional.empty(), 16)
                    .withProtocol(MqttProtocol.AUTO);
            PahoMqttConnection link = new PahoMqttConnection(settings, topics.status(), device, "test",
                    Clock.systemUTC());
            try {
                link.start();
                Await.until(() -> "connected to rabbitmq in 3.1.1; now " + link.activeSession() + ", attempts "
                        + link.stats().connectAttempts() + ", last failure: " + link.lastFailure(), WAIT,
                        () -> link.activeSession().isPresent());
                assertEquals("3.1.1", link.activeSession().orElseThrow().protocol());
                assertEquals(2, link.stats().connectAttempts(), "one in 5 (closed), one in 3.1.1");
            } finally {
                link.close();
            }
        }
    }
}
