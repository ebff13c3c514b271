package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.subscription.SubscriptionToken;
import com.oviron.callidus.agent.subscription.TokenSigner;
import com.oviron.callidus.cloud.HealthMessage;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudCommander;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import com.oviron.callidus.store.testing.Tmpfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent with its store and every state file on a real 8 MiB file system (a tmpfs the test
 * mounts; root, as in CI), Debian's mosquitto going away and coming back, and another writer taking the disk:
 * first all but 1 MiB, then the last byte and whatever the store gives back until a write of the agent meets
 * the full disk; it goes away, and at the end takes the last byte again just before SIGTERM. The agent must
 * keep sampling and accepting readings,
 * drop only the oldest unsent ones (counted), deliver every other reading it accepted, record the
 * acknowledgements, log each distinct failure a bounded number of times, report its disk to the cloud, and stop
 * on SIGTERM in a time that has nothing to do with its (five-minute) drain timeout.
 */
class AgentDiskFullIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    private static final String DEVICE = "CAL-DISK-1";
    private static final long DISK = 8L * 1024 * 1024;
    /** SIGTERM to exit at most, whatever the drain timeout (5 min here). */
    private static final Duration STOP_BOUND = Duration.ofSeconds(45);
    private static final Pattern LEVEL_AND_MESSAGE = Pattern.compile(
            "^\\S+ \\S+ (WARN|ERROR) \\[([^\\]]+)\\] (.*?)(?: [A-Za-z]+=.*)?$");

    @TempDir
    Path dir;
    private Tmpfs disk;

    @BeforeEach
    void mount() throws Exception {
        disk = Tmpfs.mount(dir.resolve("data"), DISK);
    }

    @AfterEach
    void unmount() throws Exception {
        disk.close();
    }

    private static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    private static String token(KeyPair keys) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return TokenSigner.sign(new SubscriptionToken("oviron-subscriptions", DEVICE, now, 1, today.minusDays(30),
                Optional.empty(), Optional.empty(), 15, now), "k1", keys.getPrivate());
    }

    @Test
    void a_full_disk_drops_only_the_oldest_readings_delivers_the_rest_and_lets_sigterm_end_promptly()
            throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        KeyPair vendor = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Topics topics = new Topics(DEVICE);
        long started = System.nanoTime();
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             CloudCommander cloud = new CloudCommander(broker.uri(), "cloud-disk", DEVICE, topics.telemetry(),
                     topics.health(), topics.events())) {
            Path config = dir.resolve("agent.json");
            Files.createDirectories(dir.resolve("ui"));
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "seed": 3, "samplePeriod": "10ms"},
                     "store": {"path": "data/agent.db"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                     "sync": {"interval": "100ms", "healthInterval": "1s"},
                     "subscription": {"keys": {"k1": "%s"}},
                     "settings": {"folder": "ui"},
                     "shutdown": {"drainTimeout": "5m"}}
                    """.formatted(DEVICE, broker.uri(), pem(vendor).replace("\n", "\\n")));
            Path log = dir.resolve("agent.log");
            Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", JAR.toString(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long stopNanos;
            long healthIndexAtReconnect;
            HealthMessage healthAfterBacklog;
            try {
                // a unit in service: its token installed by the cloud (token and trusted-time files on the disk)
                cloud.awaitOnline(1, WAIT);
                JsonObject args = new JsonObject();
                args.addProperty("token", token(vendor));
                JsonObject installed = cloud.call("subscription.install", args, WAIT);
                assertTrue(installed.get("ok").getAsBoolean(), installed.toString());
                Await.until(() -> "telemetry flows; log:\n" + tail(log), WAIT,
                        () -> cloud.subscriber().receivedOn(topics.telemetry()).size() >= 5);

                // the broker goes away; another writer leaves the store 1 MiB: the store reaches its disk
                broker.stop();
                disk.fill("other-writer-1.bin", 1024 * 1024);
                Await.until(() -> "the store meets its disk; log:\n" + tail(log), WAIT,
                        () -> read(log).contains("store full alarm raised"));

                // and then takes the last byte, and whatever the store gives back, until one of the agent's writes
                // meets the full disk: the reserve lets it through (it is gone), readings make room again. The log
                // line says so at most once a minute (the first may have come before): waiting for a second one
                // while taking everything the store frees would leave it no reading to keep
                Path reserve = disk.path().resolve("agent.db.reserve");
                int logBefore = read(log).length();
                disk.fill("other-writer-2.bin", 0);
                Await.until(() -> "a write met the full disk; log:\n" + tail(log), WAIT, () -> {
                    if (!Files.exists(reserve) || read(log).substring(logBefore).contains("met a full disk")) {
                        return true;
                    }
                    fillQuietly("other-writer-2.bin");
                    return false;
                });

                // the broker is back, the disk still full: the backlog and the alarm go out, acknowledgements
                // are recorded
                healthIndexAtReconnect = cloud.subscriber().receivedOn(topics.health()).size();
                broker.start();
                Await.until(() -> "backlog delivered; log:\n" + tail(log), WAIT, () -> {
                    List<HealthMessage> h = healthSince(cloud, topics, healthIndexAtReconnect);
                    return h.size() >= 2 && last(h).lastSeq() - last(h).acknowledgedSeq() < 5_000;
                });
                HealthMessage health = last(healthSince(cloud, topics, healthIndexAtReconnect));
                HealthMessage.Disk d = health.disk().orElseThrow();
                assertEquals(DISK, d.totalBytes(), health.toString());
                assertEquals(DISK / 8, d.reserveBytes(), health.toString());
                assertTrue(d.full(), "the store reports its full disk: " + health);
                assertTrue(d.limitBytes() < DISK / 2, "the disk limits the store: " + health);
                assertTrue(health.droppedReadings() > 0, health.toString());
                JsonObject storage = cloud.call("diagnostics.get", null, WAIT).getAsJsonObject("result")
                        .getAsJsonObject("storage");
                assertEquals(DISK / 8, storage.get("reserveBytes").getAsLong(), storage.toString());
                assertTrue(storage.get("full").getAsBoolean(), storage.toString());
                assertTrue(storage.has("reserveHeld") && storage.has("limitBytes"), storage.toString());

                // the other writers go: the reserve comes back and the alarm clears
                Files.delete(disk.path().resolve("other-writer-1.bin"));
                Files.delete(disk.path().resolve("other-writer-2.bin"));
                Await.until(() -> "the alarm cleared; log:\n" + tail(log), WAIT, () -> {
                    HealthMessage.Disk now = last(healthSince(cloud, topics, 0)).disk().orElseThrow();
                    return now.reserveHeld() && !now.full();
                });
                healthAfterBacklog = last(healthSince(cloud, topics, 0));

                // the unit kept sampling the whole time
                long samples = healthAfterBacklog.samples();
                Await.until("sampling goes on", WAIT, () -> last(healthSince(cloud, topics, 0)).samples()
                        > samples + 100);

                // another writer takes the last byte once more, and the unit is stopped right then
                disk.fill("other-writer-3.bin", 0);
                agent.destroy(); // SIGTERM, the disk still full
                long sigterm = System.nanoTime();
                assertTrue(agent.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS),
                        "the agent did not stop within " + STOP_BOUND + " of SIGTERM; log:\n" + tail(log));
                stopNanos = System.nanoTime() - sigterm;
            } finally {
                agent.destroyForcibly();
                // kept for whoever reads a failure in CI (the temporary folder goes)
                Files.copy(log, Path.of("target", "AgentDiskFullIT-agent.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            String output = read(log);
            assertEquals(143, agent.exitValue(), "exit after SIGTERM; log:\n" + tail(log));
            assertTrue(stopNanos < STOP_BOUND.toNanos(), "stopped in " + stopNanos / 1_000_000 + " ms");
            assertTrue(output.contains("agent stopped"), tail(log));
            // a refused connect names the library's exception in brackets after the technician's words; anything
            // else with an exception, or a stack trace, was not expected
            java.util.List<String> unexpected = output.lines()
                    .filter(l -> l.contains("Exception") || l.startsWith("\tat "))
                    .filter(l -> !l.contains("mqtt connect failed: connection refused")).toList();
            assertTrue(unexpected.isEmpty(), "nothing unexpected was thrown:\n" + String.join("\n", unexpected));
            Matcher stopped = Pattern.compile("sampler stopped samples=\\d+ accepted=\\d+ notWritten=(\\d+)"
                    + " droppedInMemory=(\\d+)").matcher(output);
            assertTrue(stopped.find(), tail(log));
            assertEquals("0", stopped.group(1), "everything in memory was written at SIGTERM");
            assertEquals("0", stopped.group(2), "no reading was ever lost from memory: the writes got through");

            // what the store says, read after the run (the other writer gone, so that it opens)
            Files.delete(disk.path().resolve("other-writer-3.bin"));
            long lastSeq;
            long dropped;
            try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(disk.path().resolve("agent.db"),
                    Durability.FULL, RetentionSettings.defaults(), Clock.systemUTC())) {
                lastSeq = store.lastSeq();
                dropped = store.stats().droppedReadings();
                assertEquals(lastSeq, store.acknowledgedSeq(), "every acknowledgement was recorded");
                assertEquals("ok", store.integrityCheck());
            }
            assertTrue(dropped > 0, "the disk made the store drop readings");

            // every reading accepted and not dropped arrived; the dropped ones were the oldest, none after the
            // backlog had gone out
            TreeSet<Long> seqs = new TreeSet<>();
            Await.until("every kept reading at the cloud", WAIT, () -> {
                collect(cloud.subscriber(), topics, seqs);
                return !seqs.isEmpty() && seqs.last() == lastSeq;
            });
            long missing = 0;
            for (long seq = 1; seq <= lastSeq; seq++) {
                if (!seqs.contains(seq)) {
                    missing++;
                }
            }
            assertTrue(missing <= dropped, "missing " + missing + " but only " + dropped + " dropped");
            assertTrue(missing > 0, "the dropped readings are gaps at the cloud");
            for (long seq = healthAfterBacklog.lastSeq(); seq <= lastSeq; seq++) {
                assertTrue(seqs.contains(seq), "a reading accepted after the backlog went out is missing: " + seq);
            }

            // the alarm reached the cloud, once per episode
            Map<String, Integer> kinds = eventKinds(cloud.subscriber(), topics);
            int raised = kinds.getOrDefault("store.full", 0);
            assertTrue(raised >= 1 && raised <= kinds.getOrDefault("store.full_cleared", 0) + 1, kinds.toString());

            // each distinct failure logged a bounded number of times (was ~1000 lines in 7 minutes)
            long minutes = Duration.ofNanos(System.nanoTime() - started).toMinutes() + 1;
            Map<String, Integer> perFailure = failureLines(output);
            for (Map.Entry<String, Integer> e : perFailure.entrySet()) {
                long bound = e.getKey().startsWith("[mqtt-link]") ? 10 * minutes + 5 : 3 * minutes + 3;
                assertTrue(e.getValue() <= bound, "logged " + e.getValue() + " times in about " + minutes
                        + " min (at most " + bound + "): " + e.getKey() + "\nall: " + perFailure);
            }
        }
    }

    /** Warning and error lines by thread and message (without its key=value part). */
    private static Map<String, Integer> failureLines(String output) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : output.split("\n")) {
            Matcher m = LEVEL_AND_MESSAGE.matcher(line);
            if (m.matches()) {
                counts.merge("[" + m.group(2) + "] " + m.group(3), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static Map<String, Integer> eventKinds(CloudSubscriber cloud, Topics topics) {
        Map<String, Integer> kinds = new TreeMap<>();
        Set<Long> seen = new HashSet<>();
        for (CloudSubscriber.Received m : cloud.receivedOn(topics.events())) {
            JsonObject e = JsonParser.parseString(new String(m.payload(), StandardCharsets.UTF_8)).getAsJsonObject();
            if (seen.add(e.get("seq").getAsLong())) {
                kinds.merge(e.get("kind").getAsString(), 1, Integer::sum);
            }
        }
        return kinds;
    }

    private static List<HealthMessage> healthSince(CloudCommander cloud, Topics topics, long index) {
        List<CloudSubscriber.Received> all = cloud.subscriber().receivedOn(topics.health());
        List<HealthMessage> out = new ArrayList<>();
        for (int i = (int) index; i < all.size(); i++) {
            try {
                out.add(HealthMessage.decode(all.get(i).payload()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    private static HealthMessage last(List<HealthMessage> messages) {
        assertFalse(messages.isEmpty(), "no health message");
        return messages.get(messages.size() - 1);
    }

    private static void collect(CloudSubscriber cloud, Topics topics, TreeSet<Long> seqs) {
        seqs.clear();
        for (CloudSubscriber.Received m : cloud.receivedOn(topics.telemetry())) {
            try {
                TelemetryBatch b = TelemetryBatchCodec.decode(m.payload());
                for (TelemetryRecord r : b.readings()) {
                    seqs.add(r.seq());
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private void fillQuietly(String name) {
        try {
            disk.fill(name, 0);
        } catch (IOException e) {
            throw new AssertionError("the other writer failed: " + e.getMessage(), e);
        }
    }

    private long freeQuietly() {
        try {
            return disk.freeBytes();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String tail(Path log) {
        String all = read(log);
        return all.length() <= 6000 ? all : all.substring(all.length() - 6000);
    }
}
