package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import io.reactivex.plugins.RxJavaPlugins;
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
        RxJavaPlugins.setErrorHandler(undeliverable::add);
        try (SilentNode silent = new SilentNode()) {
            FleetOptions options = FleetOptions.parse(new String[] {"--units", "6", "--complete", "0", "--broker",
                    silent.uri(), "--amqp", "none", "--start-rate", "100", "--workers", "4", "--connect-timeout", "3s"});
            Fleet fleet = Fleet.create(options, dir.resolve("fleet"), System.out);
            fleet.startUnits();
            Await.until(() -> "every unit's connect taken by the silent node, now " + silent.connections(), WAIT,
                    () -> silent.connections() >= 6);
            fleet.close();
            Await.until("every connect given up by its client after the connect timeout", WAIT,
                    silent::allClosedByClients);
            Await.until(() -> "the fleet's client threads ended, still " + clientThreads(), WAIT,
                    () -> clientThreads() == 0);
            assertEquals(List.of(), undeliverable, "nothing left for RxJava to print after the fleet closed");
        } finally {
            RxJavaPlugins.setErrorHandler(null);
        }
    }

    private static long clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("fleet-light-mqtt") && t.isAlive()).count();
    }
}
