package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.LiveSnapshot;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.cloud.testing.TcpProxy;
import com.oviron.callidus.hal.fake.ScriptedSensorPort;
import com.oviron.callidus.store.TelemetryRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After an outage the backlog is replayed in order at the configured publish rate, while the newest values
 * keep reaching the cloud alongside it as live snapshots. Batches do not grow here ({@code catchUpMaxReadings}
 * = {@code batchMaxReadings}), so that the replay lasts long enough to watch; {@code AgentCatchUpCrashIT} covers
 * grown batches.
 *
 * <p>Both claims are checked in a way no machine speed can fake: the rate as an upper bound on what can
 * have arrived in the time that passed, and "alongside" by the order in which the cloud received the
 * messages and by which sample the values come from (the scripted port numbers its samples in the values).
 */
class AgentBacklogIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-BACKLOG-1";
    private static final int CHANNELS = 10;
    private static final int PUBLISHES_PER_SECOND = 4;

    @TempDir
    Path dir;

    @Test
    void live_values_keep_flowing_while_a_rate_limited_backlog_is_replayed() throws Exception {
        ScriptedSensorPort port = new ScriptedSensorPort(Clock.systemUTC(), CHANNELS);
        Topics topics = new Topics(DEVICE);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-backlog", topics.telemetry(),
                     topics.live())) {
            broker.stop();
            AgentConfig config = config(DEVICE, broker.uri(), "200ms");
            try (Agent agent = Agent.start(config, port, Clock.systemUTC())) {
                Await.until("a backlog of 4000 readings", WAIT, () -> agent.status().lastSeq() >= 4_000);
                long backlog = agent.status().lastSeq(); // accepted while the broker was down
                long brokerBack = System.nanoTime(); // nothing can be published before this
                broker.start();
                Await.until("live snapshots arrive", WAIT, () -> cloud.receivedOn(topics.live()).size() >= 3);
                double seconds = (System.nanoTime() - brokerBack) / 1e9;
                List<CloudSubscriber.Received> arrived = cloud.received(); // in arrival order, both topics

                // the rate: the token bucket was full (a burst of one second's worth), then 4 per second
                long batches = arrived.stream().filter(m -> m.topic().equals(topics.telemetry())).count();
                long allowed = PUBLISHES_PER_SECOND + (long) Math.ceil(PUBLISHES_PER_SECOND * seconds);
                assertTrue(batches <= allowed, batches + " telemetry messages in " + seconds + " s; the rate allows "
                        + allowed);

                // the first live snapshot arrived while the stream was still in the past: replaying the backlog
                // at 4 messages of 50 readings per second takes 20 s, a snapshot goes out every 200 ms
                int first = 0;
                while (!arrived.get(first).topic().equals(topics.live())) {
                    first++;
                }
                long streamBefore = 0;
                for (CloudSubscriber.Received m : arrived.subList(0, first)) {
                    TelemetryBatch batch = TelemetryBatchCodec.decode(m.payload());
                    for (TelemetryRecord r : batch.readings()) {
                        streamBefore = Math.max(streamBefore, r.seq());
                    }
                }
                assertTrue(streamBefore < backlog, "the stream was at seq " + streamBefore + " of a backlog of "
                        + backlog + " when the first live snapshot arrived");

                // ... and that snapshot is current: every value comes from a sample at least as new as the last
                // one accepted before the broker came back (reading n is of sample (n - 1) / 10 + 1)
                LiveSnapshot snapshot = LiveSnapshot.decode(arrived.get(first).payload());
                assertEquals(LiveSnapshot.SNAPSHOT, snapshot.kind());
                assertCurrent(snapshot, backlog);
            }
        }
    }
    @Test
    void after_an_outage_the_present_reaches_the_cloud_before_the_past() throws Exception {
        String device = "CAL-BACKLOG-2";
        ScriptedSensorPort port = new ScriptedSensorPort(Clock.systemUTC(), CHANNELS);
        Topics topics = new Topics(device);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             TcpProxy line = new TcpProxy(broker.port());
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-backlog-2", topics.telemetry(),
                     topics.live())) {
            line.setRefusing(true); // the unit's line is down, the cloud's is not: it misses nothing the unit sends
            // a long sync interval: the periodic snapshot cannot be the one that comes first
            AgentConfig config = config(device, line.uri(), "10s");
            try (Agent agent = Agent.start(config, port, Clock.systemUTC())) {
                Await.until("a backlog of 4000 readings", WAIT, () -> agent.status().lastSeq() >= 4_000);
                long backlog = agent.status().lastSeq();
                line.setRefusing(false);
                Await.until("the replay's first batch and a live snapshot", WAIT,
                        () -> cloud.receivedOn(topics.live()).size() >= 1 && cloud.receivedOn(topics.telemetry())
                                .stream().anyMatch(m -> decode(m).firstSeq() == 1));
                // the broker may hand QoS 0 and QoS 1 messages of different topics on in either order (MQTT orders
                // them per topic and QoS only): what the unit did is read from the times it wrote into each
                LiveSnapshot snapshot = LiveSnapshot.decode(cloud.receivedOn(topics.live()).get(0).payload());
                TelemetryBatch firstBatch = cloud.receivedOn(topics.telemetry()).stream().map(AgentBacklogIT::decode)
                        .filter(b -> b.firstSeq() == 1).findFirst().orElseThrow();
                assertTrue(snapshot.atMillis() <= firstBatch.sentAtMillis(), "the snapshot was made at "
                        + snapshot.atMillis() + ", after the replay's first batch (" + firstBatch.sentAtMillis() + ")");
                assertCurrent(snapshot, backlog);
            }
        }
    }

    /** 500 readings a second, batches of 50 at 4 a second: a backlog of 4,000 lasts 20 s to replay. */
    private AgentConfig config(String device, String brokerUri, String syncInterval) throws Exception {
        return AgentConfigLoader.parse("""
                {"device": {"id": "%s"}, "hal": {"source": "simulator", "samplePeriod": "20ms"},
                 "store": {"path": "agent.db", "groupCommitDelay": "100ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "300ms"},
                 "sync": {"batchMaxReadings": 50, "catchUpMaxReadings": 50, "inFlightWindow": 4, "interval": "%s",
                          "maxPublishesPerSecond": %d}}
                """.formatted(device, brokerUri, syncInterval, PUBLISHES_PER_SECOND), dir);
    }

    /**
     * One value per channel, each from a sample at least as new as the last one accepted while offline (the scripted
     * port numbers its samples in the values: reading n is of sample (n - 1) / 10 + 1).
     */
    private static void assertCurrent(LiveSnapshot snapshot, long lastAcceptedSeq) {
        assertEquals(CHANNELS, snapshot.readings().size(), snapshot.toString());
        long lastAcceptedSample = (lastAcceptedSeq - 1) / CHANNELS + 1;
        for (LiveSnapshot.Reading r : snapshot.readings()) {
            long sample = (long) Math.floor(r.value() / 1000);
            assertTrue(sample >= lastAcceptedSample, r + " is from sample " + sample + ", older than sample "
                    + lastAcceptedSample + ", the last accepted while the unit was offline");
        }
    }

    private static TelemetryBatch decode(CloudSubscriber.Received m) {
        try {
            return TelemetryBatchCodec.decode(m.payload());
        } catch (com.oviron.callidus.cloud.MalformedMessageException e) {
            throw new AssertionError("a telemetry message that does not decode: " + e.getMessage(), e);
        }
    }
}
