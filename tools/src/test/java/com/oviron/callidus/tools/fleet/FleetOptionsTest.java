package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units' first reconnect window follows from the connect rate the cluster is sized for (a node's units, or the
 * whole fleet after a whole-cluster outage), their largest is never below it; their connect timeout is the agent's
 * unless given, in the agent's bounds.
 */
class FleetOptionsTest {

    @Test
    void theFirstReconnectWindowSpreadsANodesUnitsAtHalfTheConfiguredRate() {
        // 1,000 units on 3 nodes: 334 per node; at 200 connects/s they need 3.34 s to stay at 100 a second
        assertEquals(Duration.ofMillis(3_340), FleetOptions.reconnectMinFor(1_000, 3, 200));
        // 10,000 units: 3,334 per node, 33.34 s
        assertEquals(Duration.ofMillis(33_340), FleetOptions.reconnectMinFor(10_000, 3, 200));
        // a small fleet keeps the agent's default
        assertEquals(Duration.ofSeconds(1), FleetOptions.reconnectMinFor(30, 3, 200));
        assertEquals(Duration.ofSeconds(1), FleetOptions.reconnectMinFor(1, 1, 1_000_000));
    }

    @Test
    void anExplicitReconnectMinIsKept() throws Exception {
        FleetOptions o = FleetOptions.parse(new String[] {"--units", "1000", "--broker", "tcp://a:1,tcp://b:1,tcp://c:1",
                "--amqp", "none", "--reconnect-min", "1s"});
        assertEquals(Duration.ofSeconds(1), o.reconnectMin());
        FleetOptions derived = FleetOptions.parse(new String[] {"--units", "1000", "--broker",
                "tcp://a:1,tcp://b:1,tcp://c:1", "--amqp", "none", "--max-connect-rate", "100"});
        assertEquals(Duration.ofMillis(6_680), derived.reconnectMin());
    }

    @Test
    void afterAWholeClusterOutageEveryUnitComesBackInTheFirstWindowSoItIsSizedForTheWholeFleet(@TempDir Path dir)
            throws Exception {
        // the scenarios that stop nodes need a cluster's folder: its cluster.env names the three nodes' ports
        Files.writeString(dir.resolve("cluster.env"), "NODE1_MQTT=27001\nNODE2_MQTT=27002\nNODE3_MQTT=27003\n");
        String[] cluster = {"--units", "10000", "--cluster-dir", dir.toString(), "--amqp", "none"};
        // a node's loss: its 3,334 units; the agent's reconnectMax stays
        FleetOptions restart = FleetOptions.parse(with(cluster, "--scenario", "steady,restart"));
        assertEquals(Duration.ofMillis(33_340), restart.reconnectMin());
        assertEquals(Duration.ofMinutes(2), restart.reconnectMax());
        // the whole cluster's outage: 10,000 units at 200/s, 100 s; the agent's 2 min is above it
        FleetOptions outage = FleetOptions.parse(with(cluster, "--scenario", "outage,steady,restart"));
        assertEquals(Duration.ofSeconds(100), outage.reconnectMin());
        assertEquals(Duration.ofMinutes(2), outage.reconnectMax());
        // a cluster sized for 40 sessions a second: 2 x 10,000 / 40 = 500 s, and reconnectMax raised to it
        String[] slow = with(with(cluster, "--scenario", "outage"), "--max-connect-rate", "40");
        assertEquals(Duration.ofSeconds(500), FleetOptions.parse(slow).reconnectMin());
        assertEquals(Duration.ofSeconds(500), FleetOptions.parse(slow).reconnectMax());
        assertEquals(Duration.ofMinutes(30), FleetOptions.parse(with(slow, "--reconnect-max", "30m")).reconnectMax());
        // 30 a second would make it 667 s, above what the agent takes (10 min): refused before anything starts
        IllegalArgumentException tooSlow = assertThrows(IllegalArgumentException.class, () -> FleetOptions.parse(
                with(with(cluster, "--scenario", "outage"), "--max-connect-rate", "30")));
        assertTrue(tooSlow.getMessage().contains("above the agent's limit of 10m"), tooSlow.getMessage());
    }

    @Test
    void reconnectWindowsOutsideTheAgentsBoundsAreRefused() {
        String[] base = {"--units", "10", "--broker", "tcp://a:1", "--amqp", "none"};
        for (String bad : new String[] {"5ms", "11m"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FleetOptions.parse(with(base, "--reconnect-min", bad)), bad);
            assertTrue(e.getMessage().contains("--reconnect-min must be from 10ms to 10m"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FleetOptions.parse(with(base, "--reconnect-max", "2h")));
        assertTrue(e.getMessage().contains("--reconnect-max must be at most 1h"), e.getMessage());
    }

    @Test
    void aReconnectMaxBelowTheUnitsReconnectMinIsRefused() {
        String[] base = {"--units", "10000", "--broker", "tcp://a:1,tcp://b:1,tcp://c:1", "--amqp", "none",
                "--reconnect-max", "1m"};
        // 33.34 s from the rate: 1 min is above it
        assertDoesNotThrow(() -> FleetOptions.parse(base));
        IllegalArgumentException fromRate = assertThrows(IllegalArgumentException.class,
                () -> FleetOptions.parse(with(base, "--max-connect-rate", "15")));
        assertTrue(fromRate.getMessage().contains("--reconnect-max 1m is below the units' reconnectMin of"),
                fromRate.getMessage());
        IllegalArgumentException given = assertThrows(IllegalArgumentException.class,
                () -> FleetOptions.parse(with(base, "--reconnect-min", "90s")));
        assertTrue(given.getMessage().contains("reconnectMin of 90s"), given.getMessage());
    }

    @Test
    void theConnectTimeoutIsTheAgentsUnlessGivenAndKeptToTheAgentsBounds() throws Exception {
        String[] base = {"--units", "10", "--broker", "tcp://a:1", "--amqp", "none"};
        assertEquals(Duration.ofSeconds(10), FleetOptions.parse(base).connectTimeout());
        assertEquals(Duration.ofMinutes(2), FleetOptions.parse(with(base, "--connect-timeout", "2m")).connectTimeout());
        for (String bad : new String[] {"1500ms", "0s", "6m", "soon"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FleetOptions.parse(with(base, "--connect-timeout", bad)), bad);
            assertEquals(true, e.getMessage().contains("--connect-timeout"), e.getMessage());
        }
    }

    private static String[] with(String[] base, String key, String value) {
        String[] all = java.util.Arrays.copyOf(base, base.length + 2);
        all[base.length] = key;
        all[base.length + 1] = value;
        return all;
    }
}
