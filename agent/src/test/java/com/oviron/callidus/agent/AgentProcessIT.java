package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.StatusMessage;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as a field tech starts it: a child JVM, stopped with SIGTERM. */
class AgentProcessIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");

    @TempDir
    Path dir;

    private Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void sigterm_stops_the_agent_cleanly_with_everything_sampled_delivered() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        String device = "CAL-PROC-1";
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-proc", Topics.allTelemetry(),
                     Topics.allStatus())) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "seed": 7, "samplePeriod": "50ms"},
                     "store": {"path": "data/agent.db", "groupCommitDelay": "2s"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                     "sync": {"interval": "100ms"},
                     "shutdown": {"drainTimeout": "60s"}}
                    """.formatted(device, broker.uri()));
            Path log = dir.resolve("agent.log");
            Process agent = start(log, "--config", config.toString());
            String telemetry = new Topics(device).telemetry();
            try {
                Await.until(() -> "telemetry from the child; its output:\n" + readQuietly(log), WAIT,
                        () -> cloud.receivedOn(telemetry).size() >= 3);
                agent.destroy(); // SIGTERM
                // the drain ends as soon as everything is sent; a loaded machine may need many seconds for it
                assertTrue(agent.waitFor(WAIT.toSeconds() * 2, TimeUnit.SECONDS), "agent did not stop on SIGTERM");
            } finally {
                agent.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(143, agent.exitValue(), "JVM exit after SIGTERM; output:\n" + output);
            assertTrue(output.contains("agent stopped"), output);

            // what was still in memory (groupCommitDelay 2s) was written and sent before exit
            long lastSeq;
            try (SqliteTelemetryOutbox store = SqliteTelemetryOutbox.open(dir.resolve("data/agent.db"),
                    Durability.FULL)) {
                lastSeq = store.lastSeq();
                assertEquals(lastSeq, store.acknowledgedSeq(), "everything accepted was acknowledged");
                assertEquals("ok", store.integrityCheck());
            }
            long expected = lastSeq;
            Await.until("every reading at the cloud", WAIT, () -> seqs(cloud, telemetry).size() == expected);
            TreeSet<Long> seqs = seqs(cloud, telemetry);
            assertEquals(1L, seqs.first());
            assertEquals(expected, seqs.last());
            Await.until("offline status", WAIT, () -> cloud.last(new Topics(device).status()) != null
                    && !statusOf(cloud, device).online());
            assertEquals("shutdown", statusOf(cloud, device).reason());
            assertFalse(output.contains("Exception"), output);
        }
    }

    @Test
    void a_bad_config_exits_2_naming_the_key() throws Exception {
        Path config = dir.resolve("agent.json");
        Files.writeString(config, """
                {"device": {"id": "CAL-1"}, "hal": {"source": "simulator"}, "store": {"path": "a.db"}, "mqtt": {"allowPlainTcp": true, "brokerUri": "localhost"}}
                """);
        Path log = dir.resolve("bad.log");
        Process agent = start(log, "--config", config.toString());
        assertTrue(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(2, agent.exitValue(), output);
        assertTrue(output.contains("config key 'mqtt.brokerUri'"), output);
    }

    @Test
    void help_lists_the_options() throws Exception {
        Path log = dir.resolve("help.log");
        Process agent = start(log, "--help");
        assertTrue(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, agent.exitValue());
        assertTrue(Files.readString(log).contains("--config <file>"));
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static StatusMessage statusOf(CloudSubscriber cloud, String device) {
        try {
            return StatusMessage.decode(cloud.last(new Topics(device).status()));
        } catch (Exception e) {
            throw new AssertionError(e);
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
