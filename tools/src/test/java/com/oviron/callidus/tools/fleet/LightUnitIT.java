package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's lightweight unit on a real broker (embedded HiveMQ CE). In the 1,000-unit restart scenario 186 of
 * them stopped sending for good: a connection lost while its connect's success was still on its way left the
 * unit believing it was connected while Paho was not, and no callback would ever come to say otherwise.
 */
class LightUnitIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void a_broker_that_takes_the_connection_and_never_answers_is_left_for_the_next_one() throws Exception {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            Thread accepter = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, read never, answered never: no CONNACK
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "silent-broker");
            accepter.setDaemon(true);
            accepter.start();
            LightUnit unit = new LightUnit("CAL-LIGHT-2",
                    List.of("tcp://127.0.0.1:" + silent.getLocalPort(), broker.uri()), timer,
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), false, 2, Duration.ofMillis(100),
                    false, Duration.ofMillis(200));
            try {
                unit.start();
                Await.until(() -> "readings acknowledged by the second broker: " + unit.progress(), WAIT,
                        () -> unit.progress().acknowledgedSeq() > 0);
                assertTrue(unit.stuckConnects() >= 1, "the connect to the silent one was cut");
                assertTrue(!held.isEmpty(), "the silent broker did take the connection");
            } finally {
                unit.close();
            }
        } finally {
            timer.shutdownNow();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @TempDir
    Path dir;

    @Test
    void a_unit_whose_connection_went_without_a_callback_reconnects_and_delivers_everything() throws Exception {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            LightUnit unit = new LightUnit("CAL-LIGHT-1", List.of(broker.uri()), timer,
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), false, 1, Duration.ofMillis(100),
                    false, Duration.ofMillis(200));
            try {
                unit.start();
                Await.until("first readings acknowledged", WAIT, () -> unit.progress().acknowledgedSeq() > 0);
                // what the race left: Paho disconnected, no connectionLost, the unit still "connected"
                unit.pahoClient().disconnectForcibly(0, 1000);
                assertTrue(!unit.pahoClient().isConnected());
                long before = unit.progress().acknowledgedSeq();
                Await.until(() -> "readings sent after the silent loss: " + unit.progress(), WAIT,
                        () -> unit.connected() && unit.progress().acknowledgedSeq() > before + 100);
                unit.stopSampling();
                Await.until(() -> "everything acknowledged: " + unit.progress(), WAIT,
                        () -> unit.progress().acknowledgedSeq() == unit.progress().lastSeq());
            } finally {
                unit.close();
            }
        } finally {
            timer.shutdownNow();
        }
    }
}
