package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The units' first reconnect window follows from the connect rate the cluster is sized for; their connect timeout
 * is the agent's unless given, in the agent's bounds.
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
