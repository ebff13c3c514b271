package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent (a child JVM with a small heap) against Debian's mosquitto with its default unlimited
 * message size, as the outside run of issue 10 tried it: a 200 MB command, a flood of 5,000 commands during a
 * telemetry backlog, and a frozen broker (SIGSTOP). In each, nothing accepted is lost, nothing is
 * dead-lettered, and the agent goes on sending.
 */
class AgentHostileBrokerIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    /** Far below the 200 MB message: the agent must never hold it. */
    private static final String HEAP = "-Xmx64m";

    @TempDir
    Path dir;

    private Process startAgent(Path config, Path log) throws IOException {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-jar", JAR.toString(), "--config", config.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private Path config(String device, String brokerUri, String mqttExtra, String syncExtra) throws IOException {
        Path config = dir.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "seed": 3, "samplePeriod": "50ms"},
                 "store": {"path": "data/agent.db", "groupCommitDelay": "200ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"%s},
                 "sync": {"interval": "100ms"%s},
                 "shutdown": {"drainTimeout": "20s"}}
                """.formatted(device, brokerUri, mqttExtra, syncExtra));
        return config;
    }

    private static void stop(Process agent, Path log) throws Exception {
        agent.destroy(); // SIGTERM
        try {
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "agent did not stop on SIGTERM:\n" + tail(log));
        } finally {
            agent.destroyForcibly();
        }
        assertEquals(143, agent.exitValue(), tail(log));
    }

    /** After the agent stopped: every accepted reading reached the cloud, none dead-lettered. */
    private void assertEverythingArrived(CloudSubscriber cloud, String device, Path log) throws Exception {
        long lastSeq;
        try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(dir.resolve("data/agent.db"), Durability.FULL)) {
            lastSeq = store.lastSeq();
            assertEquals(0, store.deadLetterCount(), "nothing dead-lettered");
            assertEquals(lastSeq, store.acknowledgedSeq(), "everything accepted was acknowledged:\n" + tail(log));
        }
        assertTrue(lastSeq > 0);
        String telemetry = new Topics(device).telemetry();
        Await.until(() -> "every reading 1.." + lastSeq + " at the cloud, have " + seqs(cloud, telemetry).size(), WAIT,
                () -> seqs(cloud, telemetry).size() == lastSeq);
        TreeSet<Long> seqs = seqs(cloud, telemetry);
        assertEquals(1L, seqs.first());
        assertEquals(lastSeq, seqs.last());
    }

    @Test
    void a_200_mb_command_is_dropped_unread_answered_too_large_and_telemetry_goes_on() throws Exception {
        String device = "CAL-HOSTILE-1";
        Topics topics = new Topics(device);
        Path log = dir.resolve("agent.log");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-hostile-1", device, topics.telemetry())) {
            // MQTT 3.1.1 cannot tell the broker the largest packet the unit takes: the unit's guard must drop it
            // (in MQTT 5 the broker does, AgentMqtt5IT)
            String v311 = ", \"protocol\": \"3.1.1\"";
            Process agent = startAgent(config(device, broker.uri(), v311, ""), log);
            try {
                cloud.awaitOnline(1, WAIT);
                int before = telemetryMessages(cloud.subscriber(), topics);
                publish(broker.uri(), topics.commands(), new byte[200 * 1024 * 1024]);

                Await.until(() -> "a too_large reply; log:\n" + tail(log), WAIT,
                        () -> replies(cloud.subscriber(), topics, "too_large").size() == 1);
                JsonObject reply = replies(cloud.subscriber(), topics, "too_large").get(0);
                assertTrue(!reply.has("id") || reply.get("id").isJsonNull(), reply.toString());
                assertTrue(reply.toString().contains("209715200 bytes"), reply.toString());
                JsonObject diagnostics = cloud.call("diagnostics.get", null, WAIT).getAsJsonObject("result");
                JsonObject link = diagnostics.getAsJsonObject("link");
                assertEquals(1, link.get("oversizedDropped").getAsLong(), diagnostics.toString());
                int after = telemetryMessages(cloud.subscriber(), topics);
                Await.until("telemetry goes on after the huge message", WAIT,
                        () -> telemetryMessages(cloud.subscriber(), topics) > after + 3);
                assertTrue(after >= before);
                assertEquals(1, cloud.onlineAnnouncements(), "the session was never lost");
                assertTrue(agent.isAlive());
                String output = Files.readString(log, StandardCharsets.UTF_8);
                assertTrue(output.contains("mqtt incoming message too large, dropped unread topic=" + topics.commands()
                        + " qos=1 bytes=209715200"), output);
                assertFalse(output.contains("OutOfMemoryError"), output);
                assertFalse(output.contains("SEVERE"), "Paho's lines come in the agent's format:\n" + output);
            } finally {
                stop(agent, log);
            }

            // the persistent session: a broker that had not got the PUBACK would send the huge command again
            Process again = startAgent(config(device, broker.uri(), v311, ""), log);
            try {
                cloud.awaitOnline(2, WAIT);
                JsonObject diagnostics = cloud.call("diagnostics.get", null, WAIT).getAsJsonObject("result");
                assertEquals(0, diagnostics.getAsJsonObject("link").get("oversizedDropped").getAsLong(),
                        "not sent again");
                assertEquals(1, replies(cloud.subscriber(), topics, "too_large").size());
            } finally {
                stop(again, log);
            }
            assertEverythingArrived(cloud.subscriber(), device, log);
        }
    }

    @Test
    void a_flood_of_5000_commands_during_a_backlog_loses_no_reading_and_dead_letters_nothing() throws Exception {
        String device = "CAL-HOSTILE-2";
        Topics topics = new Topics(device);
        Path log = dir.resolve("agent.log");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-hostile-2", device, topics.telemetry())) {
            // a backlog: the agent samples for a while with the broker out of reach, then finds it
            broker.stop();
            Process agent = startAgent(config(device, broker.uri(), "",
                    ", \"batchMaxReadings\": 20, \"maxPublishesPerSecond\": 20"), log);
            try {
                // the 21st failed attempt is logged (every 10th is): by then some 10 s of readings wait
                Await.until(() -> "a backlog of readings; log:\n" + tail(log), WAIT,
                        () -> tail(log).contains("mqtt connect failed") && tail(log).contains(" attempt=21 "));
                broker.start();
                cloud.awaitOnline(1, WAIT);

                MqttClient flood = new MqttClient(broker.uri(), "cloud-flood", new MemoryPersistence());
                MqttConnectOptions options = new MqttConnectOptions();
                options.setMaxInflight(10_000);
                flood.connect(options);
                try {
                    for (int i = 0; i < 5000; i++) {
                        String command = CloudCommander.command("flood-" + i, "status.get", null, Duration.ofMinutes(5));
                        flood.publish(topics.commands(), command.getBytes(StandardCharsets.UTF_8), 1, false);
                    }
                } finally {
                    flood.disconnect();
                    flood.close();
                }
                Await.until(() -> "replies to the flood; log:\n" + tail(log), WAIT,
                        () -> cloud.subscriber().receivedOn(topics.replies()).size() >= 100);
                // the agent still answers, and still sends
                JsonObject status = cloud.call("status.get", null, WAIT);
                assertTrue(status.has("ok"), status.toString());
                int sent = telemetryMessages(cloud.subscriber(), topics);
                Await.until("telemetry goes on", WAIT, () -> telemetryMessages(cloud.subscriber(), topics) > sent + 3);
                assertEquals(1, cloud.onlineAnnouncements(), "the session was never lost");
            } finally {
                stop(agent, log);
            }
            assertEverythingArrived(cloud.subscriber(), device, log);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(output.contains("dead_letter") || output.contains("dead letter"), output);
            assertTrue(countLines(output, "code=busy") <= 5, "busy refusals are logged once a minute:\n" + output);
        }
    }

    @Test
    void a_frozen_broker_is_noticed_connects_to_it_end_and_nothing_is_lost() throws Exception {
        String device = "CAL-HOSTILE-3";
        Topics topics = new Topics(device);
        Path log = dir.resolve("agent.log");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-hostile-3", topics.telemetry(),
                     topics.status())) {
            Process agent = startAgent(config(device, broker.uri(),
                    ", \"keepAlive\": \"5s\", \"connectTimeout\": \"3s\"", ""), log);
            try {
                Await.until(() -> "telemetry; log:\n" + tail(log), WAIT,
                        () -> cloud.receivedOn(topics.telemetry()).size() >= 3);
                broker.freeze();
                try {
                    // 1.5 x keepAlive = 7.5 s; the deadline is generous, the log says why
                    Await.until(() -> "the agent notices the frozen broker; log:\n" + tail(log), WAIT,
                            () -> tail(log).contains("broker silent for"));
                    Await.until(() -> "a connect to the frozen broker is abandoned; log:\n" + tail(log), WAIT,
                            () -> tail(log).contains("no CONNACK within the connect timeout (3000 ms)"));
                } finally {
                    broker.thaw();
                }
                Await.until(() -> "connected again; log:\n" + tail(log), WAIT,
                        () -> countLines(tail(log), "mqtt connected") >= 2);
                int sent = cloud.receivedOn(topics.telemetry()).size();
                Await.until("telemetry goes on", WAIT, () -> cloud.receivedOn(topics.telemetry()).size() > sent + 3);
            } finally {
                stop(agent, log);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(output.contains("SEVERE"), "Paho's lines come in the agent's format:\n" + output);
            assertEverythingArrived(cloud, device, log);
        }
    }

    private static void publish(String uri, String topic, byte[] payload) throws Exception {
        MqttClient client = new MqttClient(uri, "cloud-huge", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setConnectionTimeout(30);
        client.connect(options);
        try {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(1);
            client.getTopic(topic).publish(message).waitForCompletion(120_000);
        } finally {
            client.disconnect();
            client.close();
        }
    }

    private static List<JsonObject> replies(CloudSubscriber cloud, Topics topics, String code) {
        List<JsonObject> found = new ArrayList<>();
        for (CloudSubscriber.Received r : cloud.receivedOn(topics.replies())) {
            String text = new String(r.payload(), StandardCharsets.UTF_8);
            if (text.contains("\"" + code + "\"")) {
                found.add(JsonParser.parseString(text).getAsJsonObject());
            }
        }
        return found;
    }

    private static int telemetryMessages(CloudSubscriber cloud, Topics topics) {
        return cloud.receivedOn(topics.telemetry()).size();
    }

    private static int countLines(String text, String needle) {
        int n = 0;
        for (String line : text.split("\n")) {
            if (line.contains(needle)) {
                n++;
            }
        }
        return n;
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() > 20_000 ? text.substring(text.length() - 20_000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static TreeSet<Long> seqs(CloudSubscriber cloud, String topic) {
        TreeSet<Long> seqs = new TreeSet<>();
        for (CloudSubscriber.Received m : cloud.receivedOn(topic)) {
            try {
                TelemetryBatch b = TelemetryBatchCodec.decode(m.payload());
                for (TelemetryRecord r : b.readings()) {
                    seqs.add(r.seq());
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return seqs;
    }
}
