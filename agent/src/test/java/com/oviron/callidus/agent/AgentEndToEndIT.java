package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.HealthMessage;
import com.oviron.callidus.cloud.StatusMessage;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.TestBroker;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.fake.ScriptedSensorPort;
import com.oviron.callidus.store.TelemetryRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sensor port → agent → SQLite → Paho → a real broker (HiveMQ CE embedded, and Debian's mosquitto) → a
 * cloud subscriber, with the broker down for a while in the middle.
 */
class AgentEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-E2E-1";
    /** The broker goes down and comes back this many times while the agent syncs. */
    private static final int OUTAGES = 3;

    @TempDir
    Path dir;

    private AgentConfig config(String brokerUri) throws ConfigException {
        return AgentConfigLoader.parse("""
                {"device": {"id": "%s"},
                 "hal": {"source": "simulator", "samplePeriod": "20ms"},
                 "store": {"path": "agent.db", "groupCommitReadings": 50, "groupCommitDelay": "100ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "300ms",
                          "connectTimeout": "10s", "keepAlive": "30s"},
                 "sync": {"batchMaxReadings": 20, "inFlightWindow": 4, "interval": "50ms", "healthInterval": "200ms"},
                 "shutdown": {"drainTimeout": "60s"}}
                """.formatted(DEVICE, brokerUri), dir);
    }

    /** Every distinct reading received, by sequence number, checking that copies of a batch agree. */
    private static TreeMap<Long, TelemetryRecord> received(CloudSubscriber cloud) throws Exception {
        TreeMap<Long, TelemetryRecord> bySeq = new TreeMap<>();
        for (CloudSubscriber.Received m : cloud.receivedOn(new Topics(DEVICE).telemetry())) {
            TelemetryBatch batch = TelemetryBatchCodec.decode(m.payload());
            assertEquals(DEVICE, batch.deviceId());
            for (TelemetryRecord r : batch.readings()) {
                TelemetryRecord before = bySeq.putIfAbsent(r.seq(), r);
                if (before != null) {
                    assertEquals(before, r, "a resent copy of seq " + r.seq() + " differs");
                }
            }
        }
        return bySeq;
    }

    private static long highestReceived(CloudSubscriber cloud) {
        try {
            TreeMap<Long, TelemetryRecord> r = received(cloud);
            return r.isEmpty() ? 0 : r.lastKey();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hivemq", "mosquitto"})
    void every_reading_arrives_once_in_order_across_repeated_broker_outages(String brokerKind) throws Exception {
        ScriptedSensorPort port = new ScriptedSensorPort(Clock.systemUTC(), 3);
        try (TestBroker broker = TestBroker.start(brokerKind, dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-e2e", Topics.allTelemetry(),
                     Topics.allStatus())) {
            Agent agent = Agent.start(config(broker.uri()), port, Clock.systemUTC());
            try {
                Await.until("first readings at the cloud", WAIT, () -> highestReceived(cloud) >= 60);

                for (int outage = 1; outage <= OUTAGES; outage++) {
                    broker.stop();
                    Await.until("agent notices the outage", WAIT, () -> !agent.status().connected());
                    long pendingAtCut = agent.status().pending();
                    Await.until(() -> "readings pile up in the buffer: " + agent.status(), WAIT,
                            () -> agent.status().pending() >= pendingAtCut + 150);
                    long receivedDuringOutage = highestReceived(cloud);

                    broker.start();
                    Await.until("agent reconnects", WAIT, () -> agent.status().connected());
                    Await.until(() -> "backlog delivered: " + agent.status(), WAIT,
                            () -> highestReceived(cloud) > receivedDuringOutage + 150);
                }
            } finally {
                agent.close();
            }
            AgentStatus end = agent.status();
            assertTrue(end.lastSeq() > 0);

            List<Reading> produced = port.handedOut();
            assertEquals(produced.size(), end.lastSeq(), "every sampled reading was accepted");
            Await.until(() -> "all " + produced.size() + " readings at the cloud, have " + highestReceived(cloud),
                    WAIT, () -> highestReceived(cloud) == produced.size());

            TreeMap<Long, TelemetryRecord> got = received(cloud);
            assertEquals(produced.size(), got.size(), "no gap");
            assertEquals(1L, got.firstKey());
            for (int i = 0; i < produced.size(); i++) {
                Reading sent = produced.get(i);
                TelemetryRecord arrived = got.get(i + 1L);
                assertEquals(sent.channelId(), arrived.channelId(), "seq " + (i + 1));
                assertEquals(sent.value(), arrived.value(), "seq " + (i + 1));
                assertEquals(sent.timestamp().toEpochMilli(), arrived.timestampMillis(), "seq " + (i + 1));
            }
            // the broker was down, so the agent must have been offline and is now cleanly offline
            Await.until("offline after shutdown", WAIT, () -> {
                byte[] last = cloud.last(new Topics(DEVICE).status());
                try {
                    return last != null && StatusMessage.decode(last).reason().equals("shutdown");
                } catch (Exception e) {
                    return false;
                }
            });
            assertFalse(StatusMessage.decode(cloud.last(new Topics(DEVICE).status())).online());
            // the retained health message tells the cloud where the unit's buffer stands
            try (CloudSubscriber late = new CloudSubscriber(broker.uri(), "cloud-health", new Topics(DEVICE).health())) {
                Await.until("retained health", WAIT, () -> late.last(new Topics(DEVICE).health()) != null);
                HealthMessage health = HealthMessage.decode(late.last(new Topics(DEVICE).health()));
                assertEquals(DEVICE, health.deviceId());
                assertTrue(health.lastSeq() > 0 && health.acknowledgedSeq() > 0, health.toString());
                assertEquals(0, health.droppedReadings());
            }
            assertTrue(port.isClosed());
        }
    }
}
