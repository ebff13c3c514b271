package com.oviron.callidus.tools.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.tools.testing.RabbitMqCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Complete agents (real sampler on simulated boards, real SQLite stores, real MQTT sessions) on the 3-node
 * RabbitMQ cluster of {@code tools/rabbitmq-cluster}, each with {@code mqtt.brokerUris} (its home node first,
 * then the others), and the reference consumer ({@code tools ingest}'s pipeline on the replicated AMQP queue).
 * Node 1 (home of a third of the units and of the consumer's first address) is killed (SIGKILL) and started
 * again, twice. While it is down the units of the other nodes go on sending; those of node 1 go round their
 * broker list (with the agent's default persistent session RabbitMQ 3.10 serves their session only on node 1
 * and drops it elsewhere at its SUBSCRIBE: ADR 0025, so they may deliver little until it returns; none of those
 * drops may cost a batch). Every reading every unit took reaches the consumer once, from sequence 1 on, without
 * a gap.
 *
 * <p>50 units by default ({@code -Dcallidus.failover.units=N} for more or fewer), sampling once a second so
 * that two shared cores carry 50 agents, their stores and three broker nodes. Every wait is for a condition
 * with a generous deadline; nothing depends on the machine's speed.
 */
class ClusterFailoverIT {
    private static final int UNITS = Integer.getInteger("callidus.failover.units", 50);
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final int NODE = 1;

    @TempDir
    Path dir;

    @Test
    void every_reading_of_every_unit_reaches_the_consumer_once_while_a_node_is_killed_and_restarted_twice()
            throws Exception {
        long t0 = System.nanoTime();
        RabbitMqCluster cluster = RabbitMqCluster.shared();
        report("cluster: %s (%.1f s in this test)", cluster.startLine(), secondsSince(t0));
        FleetOptions options = FleetOptions.parse(new String[] {"--units", Integer.toString(UNITS), "--complete",
                Integer.toString(UNITS), "--cluster-dir", cluster.dir().toString(), "--sample-period", "1s",
                "--reconnect-min", "500ms", "--reconnect-max", "5s", "--start-rate", "25", "--workers", "4"});
        try (Fleet fleet = Fleet.create(options, dir, System.out)) {
            long started = System.nanoTime();
            fleet.startUnits();
            Await.until(() -> "every unit connected, now " + fleet.timeline.connectedNow() + " of " + UNITS, WAIT,
                    () -> fleet.timeline.connectedNow() == UNITS);
            awaitAcknowledgedPast(fleet, lastSeqs(fleet), u -> true, "at the start, every unit");
            report("%d agents connected and sending after %.1f s", UNITS, secondsSince(started));
            List<String> onNode = new ArrayList<>();
            for (FleetUnit u : List.copyOf(fleet.units)) {
                if (fleet.homeNode.get(u.id()) == NODE) {
                    onNode.add(u.id());
                }
            }
            assertTrue(onNode.size() >= UNITS / 3, "units whose home is node " + NODE + ": " + onNode);
            for (int round = 1; round <= 2; round++) {
                Map<String, Long> atKill = lastSeqs(fleet);
                long killAt = System.nanoTime();
                cluster.kill(NODE);
                // the units of the other nodes go on; those of the dead node lose their session and go round their
                // brokerUris (with a persistent session, RabbitMQ 3.10 serves it only on its node: ADR 0025)
                awaitAcknowledgedPast(fleet, atKill, u -> !onNode.contains(u.id()),
                        "round " + round + " with node " + NODE + " down, the units of the other nodes");
                Await.until(() -> "the units of node " + NODE + " noticed its death", WAIT,
                        () -> onNode.stream().noneMatch(id -> unit(fleet, id).connected() && !movedSince(fleet, id,
                                atKill)));
                int movedWhileDown = (int) onNode.stream().filter(id -> movedSince(fleet, id, atKill)).count();
                double down = secondsSince(killAt);
                long startAt = System.nanoTime();
                String up = cluster.startNode(NODE);
                Map<String, Long> atStart = lastSeqs(fleet);
                awaitAcknowledgedPast(fleet, atStart, u -> true,
                        "round " + round + " after node " + NODE + " returned, every unit");
                Await.until(() -> "every unit connected after round " + fleet.timeline.connectedNow(), WAIT,
                        () -> fleet.timeline.connectedNow() == UNITS);
                report("round %d: node %d killed; %d of its %d units had readings acknowledged by another node while"
                        + " it was down (%.1f s); %s; every unit sending %.1f s after the start began", round, NODE,
                        movedWhileDown, onNode.size(), down, up, secondsSince(startAt));
            }
            Fleet.Verdict v = fleet.stopAndVerify(WAIT);
            report("verdict: %s", v);
            fleet.ingest.ifPresent(p -> report("consumer: %s", p.stats()));
            assertEquals(UNITS, v.units());
            assertTrue(v.readingsAccepted() > 0, v.toString());
            assertEquals(0, v.notDrained(), "units whose store still held readings: " + v);
            assertEquals(0, v.gaps(), "gaps at the consumer: " + v);
            assertEquals(0, v.unitsMissingReadings(), v.detail());
            assertEquals(v.readingsAccepted(), v.readingsAtConsumer(), "readings taken vs. at the consumer: " + v);
        }
        report("test took %.1f s", secondsSince(t0));
    }

    /** The last sequence each unit has taken now. */
    private static Map<String, Long> lastSeqs(Fleet fleet) {
        Map<String, Long> m = new HashMap<>();
        for (FleetUnit u : List.copyOf(fleet.units)) {
            m.put(u.id(), u.progress().lastSeq());
        }
        return m;
    }

    /** Waits until the broker acknowledged, for every unit {@code which} selects, a reading taken after {@code seqs}. */
    private static void awaitAcknowledgedPast(Fleet fleet, Map<String, Long> seqs, Predicate<FleetUnit> which,
                                              String when) {
        Await.until(() -> "readings acknowledged past " + when + "; behind: " + behind(fleet, seqs, which), WAIT,
                () -> behind(fleet, seqs, which).isEmpty());
    }

    private static List<String> behind(Fleet fleet, Map<String, Long> seqs, Predicate<FleetUnit> which) {
        List<String> late = new ArrayList<>();
        for (FleetUnit u : List.copyOf(fleet.units)) {
            FleetUnit.Progress p = u.progress();
            if (which.test(u) && p.acknowledgedSeq() <= seqs.getOrDefault(u.id(), 0L)) {
                late.add(u.id() + "(acked " + p.acknowledgedSeq() + ", connected " + u.connected() + ")");
            }
        }
        return late;
    }

    /** Whether the unit had a reading taken after {@code seqs} acknowledged (by another node, while its own is down). */
    private static boolean movedSince(Fleet fleet, String id, Map<String, Long> seqs) {
        return unit(fleet, id).progress().acknowledgedSeq() > seqs.getOrDefault(id, 0L);
    }

    private static FleetUnit unit(Fleet fleet, String id) {
        return List.copyOf(fleet.units).stream().filter(u -> u.id().equals(id)).findFirst().orElseThrow();
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    private static void report(String format, Object... args) {
        System.out.println("[ClusterFailoverIT] " + String.format(format, args));
    }
}
