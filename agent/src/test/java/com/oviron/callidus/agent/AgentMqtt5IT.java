package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.StatusMessage;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent speaking MQTT 5 to Debian's mosquitto: through a short outage every reading arrives once,
 * a command far over the unit's limit is dropped by the broker (the CONNECT's maximum packet size) and never
 * reaches the unit; and with {@code mqtt.brokerUris} the agent moves to the next broker when its broker stops.
 */
class AgentMqtt5IT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private Path config(String device, String mqtt) throws Exception {
        Path config = dir.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "seed": 5, "samplePeriod": "50ms"},
                 "store": {"path": "data/agent.db", "groupCommitDelay": "200ms"},
                 "mqtt": {"allowPlainTcp": true, "reconnectMin": "100ms", "reconnectMax": "1s", %s},
                 "sync": {"interval": "100ms"},
                 "shutdown": {"drainTimeout": "20s"}}
                """.formatted(device, mqtt));
        return config;
    }

    private long assertEverythingAcknowledged(PackagedAgent agent) throws Exception {
        try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(dir.resolve("data/agent.db"), Durability.FULL)) {
            long lastSeq = store.lastSeq();
            assertTrue(lastSeq > 0);
            assertEquals(0, store.deadLetterCount(), "nothing dead-lettered");
            assertEquals(lastSeq, store.acknowledgedSeq(), "everything accepted was acknowledged:\n" + agent.tail());
            return lastSeq;
        }
    }

    private static void publish(String uri, String topic, byte[] payload) throws Exception {
        MqttClient client = new MqttClient(uri, "cloud-big", new MemoryPersistence());
        client.connect(new MqttConnectOptions());
        try {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(1);
            client.getTopic(topic).publish(message).waitForCompletion(60_000);
        } finally {
            client.disconnect();
            client.close();
        }
    }

    @Test
    void speaks_mqtt5_through_an_outage_and_every_reading_arrives_once() throws Exception {
        String device = "CAL-MQTT5-1";
        Topics topics = new Topics(device);
        Path log = dir.resolve("agent.log");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-mqtt5-1", device, topics.telemetry())) {
            PackagedAgent agent = PackagedAgent.start(config(device, "\"brokerUri\": \"" + broker.uri()
                    + "\", \"protocol\": \"5\""), log);
            try {
                cloud.awaitOnline(1, WAIT);
                assertTrue(agent.logText().contains("protocol=5"), agent.tail());

                // 20 MB: over the CONNECT's maximum packet size, so the broker never sends it to the unit
                publish(broker.uri(), topics.commands(), new byte[20 * 1024 * 1024]);
                JsonObject diagnostics = cloud.call("diagnostics.get", null, WAIT).getAsJsonObject("result");
                assertEquals(0, diagnostics.getAsJsonObject("link").get("oversizedDropped").getAsLong(),
                        "the unit never read it: " + diagnostics);
                assertTrue(cloud.subscriber().receivedOn(topics.replies()).stream()
                        .noneMatch(r -> new String(r.payload(), StandardCharsets.UTF_8).contains("too_large")));

                int before = cloud.subscriber().receivedOn(topics.telemetry()).size();
                Await.until("telemetry flows", WAIT,
                        () -> cloud.subscriber().receivedOn(topics.telemetry()).size() > before + 5);
                broker.stop();
                Await.until(() -> "the agent notices the outage:\n" + agent.tail(), WAIT,
                        () -> agent.logText().contains("connection lost"));
                broker.start();
                cloud.awaitOnline(2, WAIT);
                int after = cloud.subscriber().receivedOn(topics.telemetry()).size();
                Await.until("telemetry flows again", WAIT,
                        () -> cloud.subscriber().receivedOn(topics.telemetry()).size() > after + 5);
            } finally {
                agent.stop();
            }
            long lastSeq = assertEverythingAcknowledged(agent);
            Await.until(() -> "every reading 1.." + lastSeq + " at the cloud", WAIT,
                    () -> PackagedAgent.seqs(topics.telemetry(), cloud.subscriber()).size() == lastSeq);
            TreeSet<Long> seqs = PackagedAgent.seqs(topics.telemetry(), cloud.subscriber());
            assertEquals(1L, seqs.first());
            assertEquals(lastSeq, seqs.last());
        }
    }

    @Test
    void moves_to_the_next_broker_of_its_list_and_every_reading_arrives() throws Exception {
        String device = "CAL-LIST-1";
        Topics topics = new Topics(device);
        Path log = dir.resolve("agent.log");
        try (MosquittoBroker first = MosquittoBroker.start(dir.resolve("first"));
             MosquittoBroker second = MosquittoBroker.start(dir.resolve("second"));
             CloudSubscriber atFirst = new CloudSubscriber(first.uri(), "cloud-list-1", topics.telemetry(),
                     topics.status());
             CloudSubscriber atSecond = new CloudSubscriber(second.uri(), "cloud-list-2", topics.telemetry(),
                     topics.status())) {
            PackagedAgent agent = PackagedAgent.start(config(device, "\"brokerUris\": [\"" + first.uri() + "\", \""
                    + second.uri() + "\"]"), log);
            try {
                Await.until(() -> "online at the first broker:\n" + agent.tail(), WAIT, () -> online(atFirst, topics));
                Await.until("telemetry at the first", WAIT, () -> atFirst.receivedOn(topics.telemetry()).size() > 5);
                first.stop();
                Await.until(() -> "online at the second broker:\n" + agent.tail(), WAIT, () -> online(atSecond, topics));
                Await.until("telemetry at the second", WAIT, () -> atSecond.receivedOn(topics.telemetry()).size() > 5);
                // the first comes back with what it kept for the cloud's persistent session
                first.start();
            } finally {
                agent.stop();
            }
            long lastSeq = assertEverythingAcknowledged(agent);
            Await.until(() -> "every reading 1.." + lastSeq + " at the cloud", WAIT,
                    () -> PackagedAgent.seqs(topics.telemetry(), atFirst, atSecond).size() == lastSeq);
            assertEquals(lastSeq, PackagedAgent.seqs(topics.telemetry(), atFirst, atSecond).last());
        }
    }

    private static boolean online(CloudSubscriber cloud, Topics topics) {
        byte[] last = cloud.last(topics.status());
        try {
            return last != null && StatusMessage.decode(last).online();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
