package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged agents on one store folder: the second is refused, naming the folder and the first one's pid;
 * once the first is killed with SIGKILL, its lock is gone with it and a new agent starts and sends.
 */
class AgentStoreLockIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");

    @TempDir
    Path dir;

    private Process start(Path config, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--config", config.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void a_second_agent_on_the_same_store_exits_naming_the_folder_and_the_holder_and_a_sigkill_frees_the_store()
            throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        String device = "CAL-LOCK-1";
        String telemetry = new Topics(device).telemetry();
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-lock", Topics.allTelemetry())) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "samplePeriod": "50ms"},
                     "store": {"path": "data/agent.db", "groupCommitDelay": "100ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                     "sync": {"interval": "100ms"}}
                    """.formatted(device, broker.uri()));
            Path store = dir.resolve("data");
            Path firstLog = dir.resolve("first.log");
            Process first = start(config, firstLog);
            Process third = null;
            try {
                Await.until(() -> "telemetry from the first agent; its output:\n" + read(firstLog), WAIT,
                        () -> !cloud.receivedOn(telemetry).isEmpty());

                Path secondLog = dir.resolve("second.log");
                Process second = start(config, secondLog);
                assertTrue(second.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the second agent did not exit");
                String refused = read(secondLog);
                assertEquals(1, second.exitValue(), refused);
                assertTrue(refused.contains("error: agent cannot start: the store folder " + store
                        + " is in use by another agent (pid " + first.pid() + ")"), refused);
                assertTrue(refused.contains(store.resolve("agent.lock").toString()), refused);
                assertFalse(refused.contains("agent starting"), "the second agent went on: " + refused);
                assertTrue(first.isAlive(), "the first agent must not notice: " + read(firstLog));

                first.destroyForcibly(); // SIGKILL: no shutdown hook, the lock file stays with the dead pid
                assertTrue(first.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "SIGKILL did not stop the agent");
                assertEquals(String.valueOf(first.pid()), Files.readString(store.resolve("agent.lock")).trim());
                int sentBefore = cloud.receivedOn(telemetry).size();

                Path thirdLog = dir.resolve("third.log");
                third = start(config, thirdLog);
                Process running = third;
                Await.until(() -> "telemetry from the agent started after the SIGKILL; its output:\n" + read(thirdLog),
                        WAIT, () -> cloud.receivedOn(telemetry).size() > sentBefore || !running.isAlive());
                assertTrue(third.isAlive(), read(thirdLog));
                assertEquals(String.valueOf(third.pid()), Files.readString(store.resolve("agent.lock")).trim());
                third.destroy(); // SIGTERM
                assertTrue(third.waitFor(WAIT.toSeconds() * 2, TimeUnit.SECONDS), "agent did not stop on SIGTERM");
                assertEquals(143, third.exitValue(), read(thirdLog));
            } finally {
                first.destroyForcibly();
                if (third != null) {
                    third.destroyForcibly();
                }
            }
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
