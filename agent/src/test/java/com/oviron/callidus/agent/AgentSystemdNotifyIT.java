package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.systemd.NotifySocketListener;
import com.oviron.callidus.agent.systemd.ServiceWatchdog;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.hal.Channel;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.SensorPort;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a systemd {@code Type=notify} service, observed on a notify socket the test owns (systemd is not
 * PID 1 here): the packaged jar says READY=1, feeds the watchdog, logs with journald priority prefixes and
 * says STOPPING=1 on SIGTERM; an agent whose sampler freezes stops feeding the watchdog.
 */
class AgentSystemdNotifyIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path JAR = Path.of("target", "callidus-agent.jar");
    /** WATCHDOG_USEC of these tests: 3 s, so checks every second. */
    private static final Duration INTERVAL = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @Test
    void the_packaged_agent_says_ready_feeds_the_watchdog_logs_for_the_journal_and_says_stopping() throws Exception {
        assertTrue(Files.exists(JAR), "run after package: " + JAR.toAbsolutePath());
        String device = "CAL-NOTIFY-1";
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             CloudSubscriber cloud = new CloudSubscriber(broker.uri(), "cloud-notify", Topics.allTelemetry());
             NotifySocketListener systemd = new NotifySocketListener()) {
            Path config = dir.resolve("agent.json");
            Files.writeString(config, """
                    {"device": {"id": "%s"},
                     "hal": {"source": "simulator", "seed": 7, "samplePeriod": "50ms"},
                     "store": {"path": "data/agent.db", "groupCommitDelay": "100ms"},
                     "mqtt": {"allowPlainTcp": true, "brokerUri": "%s", "reconnectMin": "100ms", "reconnectMax": "1s"},
                     "sync": {"interval": "100ms"},
                     "shutdown": {"drainTimeout": "5s"}}
                    """.formatted(device, broker.uri()));
            Path out = dir.resolve("stdout.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", JAR.toString(), "--config", config.toString())
                    .redirectOutput(out.toFile()).redirectError(dir.resolve("stderr.log").toFile());
            pb.environment().put("NOTIFY_SOCKET", systemd.address());
            pb.environment().put("WATCHDOG_USEC", Long.toString(INTERVAL.toNanos() / 1000));
            pb.environment().put("JOURNAL_STREAM", "8:12345");
            Process agent = pb.start();
            try {
                Await.until(() -> "READY=1; got:\n" + systemd.dump() + "\nlog:\n" + read(out), WAIT,
                        () -> !systemd.with("READY=1").isEmpty());
                Await.until(() -> "telemetry at the cloud", WAIT,
                        () -> !cloud.receivedOn(new Topics(device).telemetry()).isEmpty());
                Await.until(() -> "two WATCHDOG=1; got:\n" + systemd.dump(), WAIT,
                        () -> systemd.with("WATCHDOG=1").size() >= 2);
                assertTrue(systemd.with("READY=1").get(0).has("STATUS=running"), systemd.dump());
                agent.destroy(); // SIGTERM, as systemctl stop
                assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "agent did not stop on SIGTERM");
            } finally {
                agent.destroyForcibly();
            }
            assertEquals(143, agent.exitValue(), read(out));
            Await.until(() -> "STOPPING=1; got:\n" + systemd.dump(), WAIT, () -> !systemd.with("STOPPING=1").isEmpty());
            assertEquals(1, systemd.with("STOPPING=1").size(), systemd.dump());
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            assertTrue(lines.size() > 5, read(out));
            for (String line : lines) {
                assertTrue(line.matches("<[3467]>(ERROR|WARN|INFO|DEBUG) \\[[^]]+] .*|<[3467]>\\s.*"),
                        "every line carries a journald priority and no time stamp: " + line);
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("<6>INFO [main] agent starting")), read(out));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("<4>WARN ") && l.contains("subscription not checked")),
                    read(out));
            assertTrue(lines.stream().anyMatch(l -> l.contains("service ready notified=true")), read(out));
        }
    }

    @Test
    void a_frozen_sampler_stops_the_watchdog_within_the_interval_and_a_thawed_one_feeds_it_again() throws Exception {
        AgentConfig config = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-FROZEN-1"},
                 "hal": {"source": "simulator", "samplePeriod": "50ms"},
                 "store": {"path": "data/agent.db", "groupCommitDelay": "100ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://127.0.0.1:9", "reconnectMin": "1s"},
                 "shutdown": {"drainTimeout": "1s"}}
                """, dir);
        FreezableBoard board = new FreezableBoard(new SimulatedCallidusBoard(Clock.systemUTC(), 3));
        Agent agent = Agent.start(config, board, Clock.systemUTC());
        Optional<ServiceWatchdog> watchdog = Optional.empty();
        try (NotifySocketListener systemd = new NotifySocketListener()) {
            watchdog = AgentService.notifySystemd(agent, config, Map.of("NOTIFY_SOCKET", systemd.address(),
                    "WATCHDOG_USEC", Long.toString(INTERVAL.toNanos() / 1000)));
            assertTrue(watchdog.isPresent());
            Await.until(() -> "watchdog fed; got:\n" + systemd.dump(), WAIT,
                    () -> systemd.with("WATCHDOG=1").size() >= 2);

            board.freeze();
            Await.until("the sampler is stuck inside sample()", WAIT, board::isStuck);
            long frozenAt = System.nanoTime();
            Await.until(() -> "the watchdog withheld with the reason; got:\n" + systemd.dump(), WAIT,
                    () -> systemd.messages().stream().anyMatch(m -> m.text().contains("STATUS=unhealthy")));
            // a check every interval/3; no progress for half the interval is a problem: at most the checks that
            // still fall inside that half after the freeze can feed the watchdog (1.5 s / 1 s + 1), plus one
            // that raced with the freeze
            long fedAfterFreeze = systemd.count(m -> m.has("WATCHDOG=1") && m.atNanos() > frozenAt);
            assertTrue(fedAfterFreeze <= 3, () -> fedAfterFreeze + " WATCHDOG=1 after the freeze:\n" + systemd.dump());
            String status = systemd.messages().stream().filter(m -> m.text().contains("STATUS=unhealthy"))
                    .findFirst().orElseThrow().text();
            assertTrue(status.contains("sampler made no progress"), status);
            // two whole intervals without WATCHDOG=1: systemd (WatchdogSec=3) would have killed the agent
            long silentFrom = systemd.messages().stream().filter(m -> m.text().contains("STATUS=unhealthy"))
                    .findFirst().orElseThrow().atNanos();
            long fedBefore = systemd.with("WATCHDOG=1").size();
            long until = silentFrom + INTERVAL.multipliedBy(2).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(fedBefore, systemd.with("WATCHDOG=1").size(), systemd::dump);
                Thread.sleep(50); // observing silence for a fixed window, not waiting for something to happen
            }
            assertTrue(board.isStuck(), "still frozen");

            board.thaw();
            Await.until(() -> "the watchdog fed again after the thaw; got:\n" + systemd.dump(), WAIT,
                    () -> systemd.with("WATCHDOG=1").size() > fedBefore
                            && systemd.messages().get(systemd.messages().size() - 1).has("WATCHDOG=1"));
            assertTrue(systemd.messages().stream().anyMatch(m -> m.has("WATCHDOG=1") && m.has("STATUS=running")),
                    systemd::dump);
            watchdog.get().close();
            // the listener's thread receives it: wait for it
            Await.until(() -> "STOPPING=1; got:\n" + systemd.dump(), WAIT, () -> !systemd.with("STOPPING=1").isEmpty());
            assertEquals(1, systemd.with("STOPPING=1").size(), systemd.dump());
        } finally {
            board.thaw();
            watchdog.ifPresent(ServiceWatchdog::close);
            agent.close();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The simulated board, but {@link #freeze()} makes {@code sample()} block: a driver stuck in a read. */
    static final class FreezableBoard implements SensorPort {
        private final SensorPort board;
        private volatile CountDownLatch gate = new CountDownLatch(0);
        private volatile boolean stuck;

        FreezableBoard(SensorPort board) {
            this.board = board;
        }

        void freeze() {
            gate = new CountDownLatch(1);
        }

        void thaw() {
            gate.countDown();
        }

        boolean isStuck() {
            return stuck;
        }

        @Override
        public List<Channel> channels() {
            return board.channels();
        }

        @Override
        public List<Reading> sample() throws HalException {
            CountDownLatch g = gate;
            if (g.getCount() > 0) {
                stuck = true;
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    stuck = false;
                }
            }
            return new ArrayList<>(board.sample());
        }

        @Override
        public void close() {
            board.close();
        }
    }
}
