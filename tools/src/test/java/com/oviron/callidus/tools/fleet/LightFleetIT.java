package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import io.reactivex.plugins.RxJavaPlugins;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of mostly lightweight units on a real broker (embedded HiveMQ CE), through {@link Fleet} as
 * {@code tools fleet} runs it: every unit connects, the lightweight ones share the fleet's few client threads
 * however many they are (ADR 0031), and at the end every unit has had everything it took acknowledged.
 */
class LightFleetIT {
    private static final int UNITS = 60;
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void sixty_units_share_a_few_client_threads_and_drain_everything() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"))) {
            FleetOptions options = FleetOptions.parse(new String[] {"--units", Integer.toString(UNITS), "--complete", "2",
                    "--broker", broker.uri(), "--amqp", "none", "--start-rate", "100", "--sync-interval", "1s",
                    "--workers", "4", "--reconnect-min", "500ms"});
            try (Fleet fleet = Fleet.create(options, dir.resolve("fleet"), System.out)) {
                fleet.startUnits();
                Await.until(() -> "every unit connected, now " + fleet.timeline.connectedNow(), WAIT,
                        () -> fleet.timeline.connectedNow() == UNITS);
                Await.until("every unit's first readings acknowledged", WAIT,
                        () -> fleet.units.stream().allMatch(u -> u.progress().acknowledgedSeq() > 0));
                long clientThreads = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("fleet-light-mqtt")).count();
                assertTrue(clientThreads >= 1 && clientThreads <= 2,
                        "58 lightweight units on the fleet's 2 client threads (workers 4 / 2), not one each: " + clientThreads);
                Fleet.Verdict v = fleet.stopAndVerify(WAIT);
                assertEquals(UNITS, v.units());
                assertEquals(0, v.notDrained(), "every unit's readings acknowledged by the broker: " + v);
                assertEquals(0, v.lightDropped(), v.toString());
                assertTrue(v.readingsAccepted() > UNITS, v.toString());
            }
        }
    }

    /**
     * A run that fails ends with {@link Fleet#close} while units are still connecting (a node that took their
     * connections and never answered): afterwards their clients' late word (the connect given up) finds the fleet's
     * threads gone and is dropped quietly, not printed as RxJava's "undeliverable" stack traces, and the fleet's
     * client threads end.
     */
    @Test
    void a_fleet_closed_while_its_units_connect_ends_quietly() throws Exception {
        List<Throwable> undeliverable = new CopyOnWriteArrayList<>();
        List<Socket> held = new CopyOnWriteArrayList<>();
        RxJavaPlugins.setErrorHandler(undeliverable::add);
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, answered never: no CONNACK
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "silent-broker");
            acceptor.setDaemon(true);
            acceptor.start();
            FleetOptions options = FleetOptions.parse(new String[] {"--units", "6", "--complete", "0", "--broker",
                    "tcp://127.0.0.1:" + silent.getLocalPort(), "--amqp", "none", "--start-rate", "100",
                    "--workers", "4", "--connect-timeout", "3s"});
            Fleet fleet = Fleet.create(options, dir.resolve("fleet"), System.out);
            fleet.startUnits();
            Await.until(() -> "every unit's connect taken by the silent node, now " + held.size(), WAIT,
                    () -> held.size() >= 6);
            fleet.close();
            Await.until("every connect given up by its client after the connect timeout", WAIT,
                    () -> held.stream().allMatch(LightFleetIT::closedByPeer));
            Await.until(() -> "the fleet's client threads ended, still " + clientThreads(), WAIT,
                    () -> clientThreads() == 0);
            assertEquals(List.of(), undeliverable, "nothing left for RxJava to print after the fleet closed");
        } finally {
            RxJavaPlugins.setErrorHandler(null);
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static long clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("fleet-light-mqtt") && t.isAlive()).count();
    }

    /** Whether the client closed its end of this connection (its bytes read, then the end of the stream). */
    private static boolean closedByPeer(Socket s) {
        try {
            s.setSoTimeout(10);
            InputStream in = s.getInputStream();
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the peer: closed as well
        }
    }
}
