package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.LiveSnapshot;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
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
 * keep reaching the cloud alongside it as live snapshots.
 */
class AgentBacklogIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DEVICE = "CAL-BACKLOG-1";

    @TempDir
    Path dir;

    @Test
    void live_values_keep_flowing_while_a_rate_limited_backlog_is_replayed() throws Exception {
        ScriptedSensorPort port = new ScriptedSensorPort(Clock.systemUTC(), 10);
        Topics topics = new Topics(DEVICE);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-backlog", topics.telemetry(),
                     topics.live())) {
            broker.stop();
            AgentConfig config = AgentConfigLoader.parse("""
                    {"device": {"id": "%s"}, "hal": {"samplePeriod": "20ms"},
                     "store": {"path": "agent.db", "groupCommitDelay": "100ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "300ms"},
                     "sync": {"batchMaxReadings": 50, "inFlightWindow": 4, "interval": "200ms",
                              "maxPublishesPerSecond": 4}}
                    """.formatted(DEVICE, broker.uri()), dir);
            try (Agent agent = Agent.start(config, port, Clock.systemUTC())) {
                Await.until("a backlog of 4000 readings", WAIT, () -> agent.status().lastSeq() >= 4_000);
                broker.start();
                Await.until("live snapshots arrive", WAIT, () -> cloud.receivedOn(topics.live()).size() >= 5);
                long now = System.currentTimeMillis();

                // the stream is still in the past: 4 batches of 50 per second cannot catch up 500 readings per second
                long newestInStream = 0;
                for (CloudSubscriber.Received m : cloud.receivedOn(topics.telemetry())) {
                    TelemetryBatch batch = TelemetryBatchCodec.decode(m.payload());
                    for (TelemetryRecord r : batch.readings()) {
                        newestInStream = Math.max(newestInStream, r.timestampMillis());
                    }
                }
                assertTrue(now - newestInStream > 5_000, "the stream replays old readings: "
                        + (now - newestInStream) + " ms behind");

                // the live snapshot is current
                List<CloudSubscriber.Received> live = cloud.receivedOn(topics.live());
                LiveSnapshot last = LiveSnapshot.decode(live.get(live.size() - 1).payload());
                assertTrue(last.readings().size() == 10, last.toString());
                long newestLive = last.readings().stream().mapToLong(LiveSnapshot.Reading::timestampMillis).max()
                        .orElse(0);
                assertTrue(now - newestLive < 2_000, "live values are at most a sync interval old: "
                        + (now - newestLive) + " ms");
            }
        }
    }
}
