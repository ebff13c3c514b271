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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
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
 *
 * <p>Each run is killed only once it has accepted (and the cloud has received) readings of its own, however
 * long the machine takes to get it there; the moment of the kill is then random within its steady work. The
 * verdict is about what was accepted, never about how much a run managed to sample.
 */
class AgentCrashIT {
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final int KILLS = 10;
    private static final String DEVICE = "CAL-CRASH-1";
    /** Deadline for one run to start and get to work; a loaded CI machine may need many seconds for a JVM. */
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** Readings a run must have accepted beyond what the runs before it accepted, before it is killed. */
    private static final int NEW_READINGS_PER_RUN = 200;

    @TempDir
    Path dir;

    private Process start(Path config, int run) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(run).toFile()))
                .start();
    }

    private Path log(int run) {
        return dir.resolve("agent-" + run + ".log");
    }

    @Test
    void sigkill_at_random_moments_loses_and_duplicates_nothing_the_cloud_keeps() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        Random random = new Random(20261122);
        String telemetry = new Topics(DEVICE).telemetry();
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-crash", Topics.allTelemetry())) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "20ms"},
                     "store": {"path": "agent.db", "durability": "FULL", "groupCommitDelay": "100ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                     "sync": {"batchMaxReadings": 200, "inFlightWindow": 8, "interval": "50ms"},
                     "shutdown": {"drainTimeout": "60s"}}
                    """.formatted(DEVICE, broker.uri()));
            CloudTally tally = new CloudTally(cloud, telemetry);
            long acceptedBefore = 0;
            for (int run = 0; run < KILLS; run++) {
                Process agent = start(config, run);
                long target = acceptedBefore + NEW_READINGS_PER_RUN;
                int thisRun = run;
                // a reading at the cloud was accepted first: so this run accepted readings of its own
                Await.until(() -> "run " + thisRun + " to deliver seq " + target + " (cloud has up to "
                        + tally.highest() + "); its output:\n" + tail(log(thisRun)), WAIT,
                        () -> tally.highest() >= target || !agent.isAlive());
                assertTrue(agent.isAlive(), () -> "run " + thisRun + " ended by itself:\n" + tail(log(thisRun)));
                Thread.sleep(random.nextInt(1_000)); // a random moment of its steady work: the experiment, not a wait
                agent.destroyForcibly(); // SIGKILL
                assertTrue(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(137, agent.exitValue(), "killed by SIGKILL");
                acceptedBefore = lastSeqAsTheKillLeftIt();
                assertTrue(acceptedBefore >= target, "the store lost what the cloud had: " + acceptedBefore);
            }
            // one last, clean run sends what the killed runs left behind, and is stopped once it has, and has
            // delivered a reading of its own: then its link is up, and SIGTERM drains what is still pending (the
            // cloud may have had everything left behind before this run even started)
            long leftBehind = acceptedBefore;
            Process last = start(config, KILLS);
            Await.until(() -> "the clean run to deliver past seq " + leftBehind + " (cloud has 1.."
                    + tally.highestContiguous() + "); its output:\n" + tail(log(KILLS)), WAIT,
                    () -> tally.highestContiguous() > leftBehind || !last.isAlive());
            last.destroy(); // SIGTERM: it drains what it accepted meanwhile, while the link is up
            assertTrue(last.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), () -> "no exit:\n" + tail(log(KILLS)));
            assertEquals(143, last.exitValue(), () -> "JVM exit after SIGTERM:\n" + tail(log(KILLS)));

            long lastSeq;
            long acknowledged;
            try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(dir.resolve("agent.db"), Durability.FULL)) {
                assertEquals("ok", store.integrityCheck());
                lastSeq = store.lastSeq();
                acknowledged = store.acknowledgedSeq();
            }
            assertTrue(lastSeq >= (long) KILLS * NEW_READINGS_PER_RUN, "every run accepted readings: " + lastSeq);
            assertEquals(lastSeq, acknowledged, () -> "the clean run sent the rest; its output:\n" + tail(log(KILLS)));

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

    /**
     * The last sequence number the killed agent's database holds, read from a copy: the next run must find
     * the files exactly as the kill left them (its own recovery is part of the experiment).
     */
    private long lastSeqAsTheKillLeftIt() throws Exception {
        Path copy = Files.createDirectories(dir.resolve("copy-" + System.nanoTime()));
        for (String name : List.of("agent.db", "agent.db-wal")) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                Files.copy(file, copy.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(copy.resolve("agent.db"), Durability.FULL)) {
            return store.lastSeq();
        }
    }

    /** The sequence numbers the cloud has received so far, decoding each new message once. */
    private static final class CloudTally {
        private final CloudSubscriber cloud;
        private final String topic;
        private final BitSet seen = new BitSet();
        private int decoded;

        CloudTally(CloudSubscriber cloud, String topic) {
            this.cloud = cloud;
            this.topic = topic;
        }

        private synchronized void update() {
            List<CloudSubscriber.Received> all = cloud.receivedOn(topic);
            for (; decoded < all.size(); decoded++) {
                for (TelemetryRecord r : decode(all.get(decoded).payload()).readings()) {
                    seen.set(Math.toIntExact(r.seq()));
                }
            }
        }

        /** The highest sequence number received. */
        synchronized long highest() {
            update();
            return seen.length() - 1L;
        }

        /** The highest n such that 1..n have all been received. */
        synchronized long highestContiguous() {
            update();
            return seen.nextClearBit(1) - 1L;
        }
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "(no output yet)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
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
