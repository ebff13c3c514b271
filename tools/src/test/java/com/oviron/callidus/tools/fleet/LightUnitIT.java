package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.cloud.testing.TcpProxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's lightweight unit on a real broker (embedded HiveMQ CE), its client on threads shared as the fleet
 * shares them: a node that never answers, a connection cut under it, a connection its own client ended.
 */
class LightUnitIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private ScheduledExecutorService timer;
    private ExecutorService threadSource;
    private MqttClientExecutorConfig clientThreads;

    @BeforeEach
    void threads() {
        timer = Executors.newScheduledThreadPool(2);
        threadSource = Executors.newCachedThreadPool();
        clientThreads = LightUnit.clientThreads(threadSource, 1, timer);
    }

    @AfterEach
    void stopThreads() {
        timer.shutdownNow();
        threadSource.shutdownNow();
    }

    private LightUnit unit(String id, List<String> brokers) {
        return new LightUnit(id, brokers, timer, clientThreads, new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                false, id.hashCode(), Duration.ofMillis(100), false, Duration.ofMillis(200),
                Duration.ofSeconds(10));
    }

    @Test
    void a_broker_that_takes_the_connection_and_never_answers_is_left_for_the_next_one() throws Exception {
        try (SilentNode silent = new SilentNode();
             EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            LightUnit unit = unit("CAL-LIGHT-2", List.of(silent.uri(), broker.uri()));
            try {
                unit.start();
                Await.until(() -> "readings acknowledged by the second broker: " + unit.progress(), WAIT,
                        () -> unit.progress().acknowledgedSeq() > 0);
                assertEquals(1, unit.stuckConnects(), "the connect to the silent one was given up, once");
                assertEquals(1, unit.connectAttempts(), "one walk of the list: the second broker at once, no backoff");
                assertTrue(silent.connections() > 0, "the silent broker did take the connection");
            } finally {
                unit.close();
            }
        }
    }

    @Test
    void a_broker_that_refuses_is_passed_at_once_and_a_cut_connection_loses_nothing() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: connection refused
        }
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"));
             TcpProxy proxy = new TcpProxy(broker.port())) {
            LightUnit unit = unit("CAL-LIGHT-3", List.of("tcp://127.0.0.1:" + closedPort, proxy.uri()));
            try {
                unit.start();
                Await.until(() -> "first readings acknowledged: " + unit.progress(), WAIT,
                        () -> unit.progress().acknowledgedSeq() > 0);
                assertEquals(0, unit.stuckConnects());
                long before = unit.progress().acknowledgedSeq();
                long attemptsBefore = unit.connectAttempts();
                proxy.cut();
                Await.until(() -> "readings sent after the cut: " + unit.progress(), WAIT,
                        () -> unit.connected() && unit.progress().acknowledgedSeq() > before + 100);
                assertTrue(unit.connectAttempts() > attemptsBefore, "it connected again");
                unit.stopSampling();
                Await.until(() -> "everything acknowledged: " + unit.progress(), WAIT,
                        () -> unit.progress().acknowledgedSeq() == unit.progress().lastSeq());
                assertEquals(0, unit.dropped());
            } finally {
                unit.close();
            }
        }
    }

    @Test
    void a_connection_its_own_client_ended_is_made_again_and_delivers_everything() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            LightUnit unit = unit("CAL-LIGHT-1", List.of(broker.uri()));
            try {
                unit.start();
                Await.until("first readings acknowledged", WAIT, () -> unit.progress().acknowledgedSeq() > 0);
                var first = unit.client();
                first.disconnect().get();
                long before = unit.progress().acknowledgedSeq();
                Await.until(() -> "readings sent on a new connection: " + unit.progress(), WAIT,
                        () -> unit.connected() && unit.client() != first
                                && unit.progress().acknowledgedSeq() > before + 100);
                unit.stopSampling();
                Await.until(() -> "everything acknowledged: " + unit.progress(), WAIT,
                        () -> unit.progress().acknowledgedSeq() == unit.progress().lastSeq());
            } finally {
                unit.close();
            }
        }
    }
}
