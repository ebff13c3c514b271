package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent in a child JVM, killed with SIGKILL at random moments while it samples and syncs, many
 * times over. Afterwards every accepted reading (every sequence number the database ever gave) has reached
 * the cloud exactly once after dropping duplicates, first arrivals in order, copies identical, and the
 * database passes SQLite's integrity check.
 */
class AgentCrashIT {
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final int KILLS = 10;
    private static final String DEVICE = "CAL-CRASH-1";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Process start(Path config, int run) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent-" + run + ".log").toFile()))
                .start();
    }

    @Test
    void sigkill_at_random_moments_loses_and_duplicates_nothing_the_cloud_keeps() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        Random random = new Random(20261122);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-crash", Topics.allTelemetry())) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "20ms"},
                     "store": {"path": "agent.db", "durability": "FULL", "groupCommitDelay": "100ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                     "sync": {"batchMaxReadings": 200, "inFlightWindow": 8, "interval": "50ms"},
                     "shutdown": {"drainTimeout": "20s"}}
                    """.formatted(DEVICE, broker.uri()));
            for (int run = 0; run < KILLS; run++) {
                Process agent = start(config, run);
                Thread.sleep(800 + random.nextInt(2_500)); // a random moment: this is the experiment, not a wait
                agent.destroyForcibly(); // SIGKILL
                assertTrue(agent.waitFor(20, TimeUnit.SECONDS));
                assertEquals(137, agent.exitValue(), "killed by SIGKILL");
            }
            // one last, clean run sends what the killed runs left behind
            Process last = start(config, KILLS);
            Thread.sleep(1_000);
            last.destroy();
            assertTrue(last.waitFor(60, TimeUnit.SECONDS));

            long lastSeq;
            long acknowledged;
            try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(dir.resolve("agent.db"), Durability.FULL)) {
                assertEquals("ok", store.integrityCheck());
                lastSeq = store.lastSeq();
                acknowledged = store.acknowledgedSeq();
            }
            assertTrue(lastSeq > 5_000, "the runs sampled: " + lastSeq);
            assertEquals(lastSeq, acknowledged, "the clean run sent the rest");

            String telemetry = new Topics(DEVICE).telemetry();
            Map<Long, TelemetryRecord> bySeq = new HashMap<>();
            List<Long> firstArrivals = new ArrayList<>();
            int[] duplicates = {0};
            Await.until(() -> "all " + lastSeq + " readings at the cloud, have " + bySeq.size(), WAIT, () -> {
                bySeq.clear();
                firstArrivals.clear();
                duplicates[0] = 0;
                for (CloudSubscriber.Received m : cloud.receivedOn(telemetry)) {
                    TelemetryBatch batch = decode(m.payload());
                    for (TelemetryRecord r : batch.readings()) {
                        TelemetryRecord before = bySeq.putIfAbsent(r.seq(), r);
                        if (before == null) {
                            firstArrivals.add(r.seq());
                        } else {
                            assertEquals(before, r, "a resent copy of seq " + r.seq() + " differs");
                            duplicates[0]++;
                        }
                    }
                }
                return bySeq.size() >= lastSeq;
            });
            assertEquals(lastSeq, bySeq.size(), "exactly the accepted readings, none extra");
            for (long seq = 1; seq <= lastSeq; seq++) {
                assertTrue(bySeq.containsKey(seq), "seq " + seq + " missing");
            }
            for (int i = 1; i < firstArrivals.size(); i++) {
                assertTrue(firstArrivals.get(i) > firstArrivals.get(i - 1), "first arrivals in order at " + i);
            }
            System.out.printf("crash test: %d kills, %d readings accepted, all at the cloud, %d duplicate copies "
                    + "dropped%n", KILLS, lastSeq, duplicates[0]);
        }
    }

    private static TelemetryBatch decode(byte[] payload) {
        try {
            return TelemetryBatchCodec.decode(payload);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
