package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.SyncSettings;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day-like backlog replayed in grown batches (ADR 0027) by the packaged agent in a child JVM, killed with
 * SIGKILL each time the cloud has received a grown batch from the run, then a clean run to the end. Afterwards
 * every accepted reading has reached the cloud exactly once after dropping duplicates, copies identical, first
 * arrivals in order; batches grew, and none was over {@code catchUpMaxBytes} or dead-lettered.
 *
 * <p>Each run is killed only after it delivered a grown batch of its own, however long the machine takes.
 */
class AgentCatchUpCrashIT {
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final int KILLS = 3;
    private static final int BACKLOG = 1_000_000;
    private static final int BATCH_MAX = 200;
    private static final String DEVICE = "CAL-CATCHUP-1";
    private static final Duration WAIT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    @Test
    void sigkill_while_grown_batches_are_in_flight_loses_and_duplicates_nothing_the_cloud_keeps() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        fillBacklog(dir.resolve("agent.db"));
        Random random = new Random(20261204);
        String telemetry = new Topics(DEVICE).telemetry();
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-catchup", Topics.allTelemetry())) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "20ms"},
                     "store": {"path": "agent.db", "durability": "FULL", "groupCommitDelay": "100ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "50ms", "reconnectMax": "200ms"},
                     "sync": {"batchMaxReadings": %d, "interval": "50ms"},
                     "shutdown": {"drainTimeout": "60s"}}
                    """.formatted(DEVICE, broker.uri(), BATCH_MAX));
            Tally tally = new Tally(cloud, telemetry);
            for (int run = 0; run < KILLS; run++) {
                int grownBefore = tally.grown();
                Process agent = start(config, run);
                int thisRun = run;
                Await.until(() -> "run " + thisRun + " to deliver a grown batch (cloud has up to " + tally.highest()
                        + "); its output:\n" + tail(log(thisRun)), WAIT,
                        () -> tally.grown() > grownBefore || !agent.isAlive());
                assertTrue(agent.isAlive(), () -> "run " + thisRun + " ended by itself:\n" + tail(log(thisRun)));
                Thread.sleep(random.nextInt(200)); // a random moment of the replay: the experiment, not a wait
                agent.destroyForcibly(); // SIGKILL
                assertTrue(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(137, agent.exitValue(), "killed by SIGKILL");
            }
            Process last = start(config, KILLS);
            Await.until(() -> "the clean run to deliver the backlog (cloud has 1.." + tally.highestContiguous()
                    + "); its output:\n" + tail(log(KILLS)), WAIT,
                    () -> tally.highestContiguous() > BACKLOG || !last.isAlive());
            last.destroy(); // SIGTERM: drains what it accepted meanwhile
            assertTrue(last.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), () -> "no exit:\n" + tail(log(KILLS)));
            assertEquals(143, last.exitValue(), () -> "JVM exit after SIGTERM:\n" + tail(log(KILLS)));

            long lastSeq;
            try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(dir.resolve("agent.db"), Durability.FULL)) {
                assertEquals("ok", store.integrityCheck());
                lastSeq = store.lastSeq();
                assertEquals(lastSeq, store.acknowledgedSeq(), "the clean run sent the rest");
                assertEquals(0, store.deadLetterCount(), "no batch set aside");
            }
            Await.until(() -> "all " + lastSeq + " readings at the cloud, have 1.." + tally.highestContiguous(), WAIT,
                    () -> tally.highestContiguous() >= lastSeq);
            assertEquals(lastSeq, tally.highest(), "exactly the accepted readings, none extra");
            assertEquals(0, tally.differingCopies(), "resent copies are identical");
            assertEquals(0, tally.outOfOrder(), "first arrivals in order");
            assertTrue(tally.largestBytes() <= SyncSettings.DEFAULT_CATCH_UP_MAX_BYTES,
                    "largest batch " + tally.largestBytes() + " bytes");
            assertTrue(tally.largestReadings() > BATCH_MAX, "batches grew: " + tally.largestReadings());
            System.out.printf("catch-up crash test: %d kills, %d readings accepted, all at the cloud, %d duplicate"
                    + " copies dropped, largest batch %d readings in %d bytes%n", KILLS, lastSeq, tally.duplicates(),
                    tally.largestReadings(), tally.largestBytes());
        }
    }

    /** A backlog as a long outage leaves it: the readings are in the store before the agent first starts. */
    private static void fillBacklog(Path db) throws Exception {
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(db, Durability.NORMAL)) {
            Random random = new Random(1);
            List<NewReading> group = new ArrayList<>(10_000);
            long ts = System.currentTimeMillis() - BACKLOG / 50 * 100L;
            for (int i = 0; i < BACKLOG; i++) {
                group.add(new NewReading("backlog_" + (i % 50), ts + i / 50 * 100L,
                        Math.round((20 + random.nextGaussian()) * 100) / 100.0, 0));
                if (group.size() == 10_000) {
                    outbox.append(group);
                    group.clear();
                }
            }
        }
    }

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

    /** What the cloud received, decoding each new message once; a reading kept as a hash of its fields. */
    private static final class Tally {
        private final CloudSubscriber cloud;
        private final String topic;
        private final BitSet seen = new BitSet();
        private int[] hashes = new int[BACKLOG * 2];
        private int decoded;
        private int grown;
        private long lastFirstArrival;
        private int outOfOrder;
        private int differing;
        private long duplicates;
        private int largestBytes;
        private int largestReadings;

        Tally(CloudSubscriber cloud, String topic) {
            this.cloud = cloud;
            this.topic = topic;
        }

        private synchronized void update() {
            List<CloudSubscriber.Received> all = cloud.receivedOn(topic);
            for (; decoded < all.size(); decoded++) {
                byte[] payload = all.get(decoded).payload();
                TelemetryBatch batch = decode(payload);
                largestBytes = Math.max(largestBytes, payload.length);
                largestReadings = Math.max(largestReadings, batch.readings().size());
                if (batch.readings().size() > BATCH_MAX) {
                    grown++;
                }
                for (TelemetryRecord r : batch.readings()) {
                    int seq = Math.toIntExact(r.seq());
                    if (seq >= hashes.length) {
                        hashes = java.util.Arrays.copyOf(hashes, seq * 2);
                    }
                    int hash = Objects.hash(r.channelId(), r.timestampMillis(), r.value(), r.qualityCode());
                    if (seen.get(seq)) {
                        duplicates++;
                        if (hashes[seq] != hash) {
                            differing++;
                        }
                    } else {
                        seen.set(seq);
                        hashes[seq] = hash;
                        if (seq < lastFirstArrival) {
                            outOfOrder++;
                        }
                        lastFirstArrival = seq;
                    }
                }
            }
        }

        synchronized int grown() {
            update();
            return grown;
        }

        synchronized long highest() {
            update();
            return seen.length() - 1L;
        }

        synchronized long highestContiguous() {
            update();
            return seen.nextClearBit(1) - 1L;
        }

        synchronized int differingCopies() {
            update();
            return differing;
        }

        synchronized int outOfOrder() {
            update();
            return outOfOrder;
        }

        synchronized long duplicates() {
            return duplicates;
        }

        synchronized int largestBytes() {
            return largestBytes;
        }

        synchronized int largestReadings() {
            return largestReadings;
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
