package com.oviron.callidus.tools.fleet;

import static com.oviron.callidus.tools.fleet.FleetCommand.f;
import static com.oviron.callidus.tools.fleet.FleetCommand.mib;

import com.oviron.callidus.tools.fleet.FleetCommand.Limits;
import com.oviron.callidus.tools.ingest.IngestPipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The fleet's scenarios, each printing a table (docs/fleet.md). */
final class Scenarios {
    private final Fleet fleet;
    private final FleetOptions o;
    private final PrintStream out;
    /** tools/rabbitmq-cluster, which kills and starts the nodes. */
    private final Path clusterScript;
    /** Why the restarted node is not back, when it is not. */
    private String nodeNotBack;

    Scenarios(Fleet fleet, PrintStream out) {
        this(fleet, out, ClusterScript.path());
    }

    Scenarios(Fleet fleet, PrintStream out, Path clusterScript) {
        this.fleet = fleet;
        this.o = fleet.options;
        this.out = out;
        this.clusterScript = clusterScript;
    }

    int run() throws Exception {
        long t0 = System.nanoTime();
        if (o.scenarios().contains("outage")) {
            cluster("stop");
            out.println("outage: the cluster is down; writing " + Fleet.fmt(o.outage()) + " of readings (accelerated time)"
                    + " into each complete agent's store");
            long backlog = Backlog.writeAll(fleet, o.outage());
            out.println(f("outage: %d readings written in %.0f s; starting the units", backlog,
                    (System.nanoTime() - t0) / 1e9));
            fleet.startUnits();
            outage(backlog);
        } else {
            out.println("starting " + o.units() + " units at up to " + o.startRate() + " per second");
            fleet.startUnits();
            if (!fleet.awaitAllConnected(o.maxWait())) {
                out.println("not every unit connected within " + Fleet.fmt(o.maxWait()) + ": "
                        + fleet.timeline.connectedNow() + " of " + o.units());
            }
            out.println(f("connected: %d of %d units after %.0f s; threads %d, open files %d",
                    fleet.timeline.connectedNow(), o.units(), (System.nanoTime() - t0) / 1e9, Limits.threads(),
                    Limits.openFiles()));
        }
        if (o.scenarios().contains("steady")) {
            steady();
        }
        if (o.scenarios().contains("restart")) {
            restart();
        }
        awaitAllConnected();
        out.println("stopping: every unit sends what it holds, the consumer writes it");
        Fleet.Verdict v = fleet.stopAndVerify(o.maxWait());
        out.println();
        out.println("| units | readings accepted | readings at the consumer, once | units missing readings | gaps | units not drained | lightweight readings dropped (memory bound) |");
        out.println("|---|---|---|---|---|---|---|");
        out.println(f("| %d | %d | %s | %s | %s | %d | %d |", v.units(), v.readingsAccepted(),
                v.readingsAtConsumer() < 0 ? "no consumer" : Long.toString(v.readingsAtConsumer()),
                v.unitsMissingReadings() < 0 ? "-" : Long.toString(v.unitsMissingReadings()),
                v.gaps() < 0 ? "-" : Long.toString(v.gaps()), v.notDrained(), v.lightDropped()));
        if (!v.detail().isEmpty()) {
            out.println("missing: " + v.detail());
        }
        boolean ok = fleet.store.isEmpty() || v.nothingLost();
        out.println(ok ? "result: nothing lost" : "result: READINGS MISSING");
        if (nodeNotBack != null) {
            out.println("result: the restart did not complete: " + nodeNotBack);
            return 1;
        }
        return ok ? 0 : 1;
    }

    /**
     * Before the units are stopped, every one of them is connected again (up to --max-wait): a unit stopped while
     * it waits out its backoff keeps its readings in its store (an agent's shutdown drain does not wait for a link
     * that is down), which the end's check would count as missing although nothing is lost.
     */
    private void awaitAllConnected() throws InterruptedException {
        long start = System.nanoTime();
        long end = start + o.maxWait().toNanos();
        int n = fleet.units.size();
        while (fleet.timeline.connectedNow() < n && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        int connected = fleet.timeline.connectedNow();
        out.println(f("before stopping: %d of %d units connected after %.1f s%s", connected, n,
                (System.nanoTime() - start) / 1e9, connected < n ? " (NOT all within " + Fleet.fmt(o.maxWait()) + ")" : ""));
    }

    /** Steady state: messages and bytes at the broker, CPU and heap per unit. */
    private void steady() throws Exception {
        out.println("steady state: warm-up " + Fleet.fmt(o.warmup()) + ", then measured for " + Fleet.fmt(o.window()));
        Thread.sleep(o.warmup().toMillis());
        Snapshot a = snapshot();
        Thread.sleep(o.window().toMillis());
        Snapshot b = snapshot();
        double s = (b.nanos - a.nanos) / 1e9;
        int n = o.units();
        BrokerBytes.Reading bytes = b.broker.minus(a.broker);
        double perUnitDay = bytes.received() / s / n * 86_400;
        double perUnitDayBoth = (bytes.received() + bytes.sent()) / s / n * 86_400;
        out.println();
        out.println("| units (complete + lightweight) | connected | telemetry msgs/s (units) | msgs/s at the consumer | readings/s at the consumer | bytes/s into the broker | bytes/s out of the broker | per unit per day into the broker (both ways) | CPU per unit | heap per unit | threads | open files | reconnects in the window |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        out.println(f("| %d (%d + %d) | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f MB (%.2f MB) | %.2f %% of a core | %s | %d | %d | %d |",
                n, o.complete(), n - o.complete(), fleet.timeline.connectedNow(), (b.published - a.published) / s,
                (b.consumerMessages - a.consumerMessages) / s, (b.consumerReadings - a.consumerReadings) / s,
                bytes.received() / s, bytes.sent() / s, perUnitDay / 1e6, perUnitDayBoth / 1e6,
                (b.cpuNanos - a.cpuNanos) / 1e9 / s / n * 100, f("%.0f KiB", b.heap / 1024.0 / n), b.threads,
                b.openFiles, fleet.timeline.connectsSince(a.nanos).size()));
        boolean defaults = o.defaultSampling()
                && o.syncInterval().equals(com.oviron.callidus.agent.AgentConfigLoader.DEFAULT_SYNC_INTERVAL);
        out.println(f("per-unit bytes per day at %s (hal.samplePeriod %s on the %s schedule, sync.interval %s; from the broker's sockets,"
                + " %d of them): %.2f MB received, goal <= 5 MB at the default sampling: %s",
                defaults ? "the default sampling" : "THIS run's sampling, not the default", Fleet.fmt(o.samplePeriod()),
                o.schedule(),
                Fleet.fmt(o.syncInterval()), b.broker.sockets(), perUnitDay / 1e6,
                !defaults ? "not measured by this run" : perUnitDay <= 5e6 ? "met" : "NOT met"));
        out.println(f("heap used after GC %s in all (max %s); process CPU %.0f %% of one core", mib(b.heap),
                mib(Runtime.getRuntime().maxMemory()), (b.cpuNanos - a.cpuNanos) / 1e9 / s * 100));
    }

    private record Snapshot(long nanos, BrokerBytes.Reading broker, long published, long consumerMessages,
                            long consumerReadings, long cpuNanos, long heap, int threads, long openFiles) {
    }

    private Snapshot snapshot() throws IOException {
        long published = 0;
        for (FleetUnit u : List.copyOf(fleet.units)) {
            published += u.progress().published();
        }
        IngestPipeline.Stats st = fleet.ingest.map(IngestPipeline::stats).orElse(null);
        long heap = Limits.heapUsedAfterGc();
        return new Snapshot(System.nanoTime(), BrokerBytes.read(o.brokerPorts()), published,
                st == null ? 0 : st.messages(), st == null ? 0 : st.readingsWritten(), Limits.cpuNanos(), heap,
                Limits.threads(), Limits.openFiles());
    }

    /** A broker node killed and started again: how the fleet comes back. */
    private void restart() throws Exception {
        int node = o.restartNode();
        Set<Integer> affected = new HashSet<>();
        for (int i = 0; i < fleet.units.size(); i++) {
            if (fleet.homeNode.get(fleet.units.get(i).id()) == node) {
                affected.add(i);
            }
        }
        out.println("restart: killing node " + node + " (" + affected.size() + " units on it)");
        long killAt = System.nanoTime();
        cluster("kill-node", Integer.toString(node));
        long end = System.nanoTime() + o.maxWait().toNanos();
        // each unit of the node is counted once it has been seen down; some are back on other nodes before
        // the last one notices, so "all down at once" may never happen
        while (fleet.timeline.allDroppedAfter(killAt, affected) < 0 && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        double noticed = fleet.timeline.allDroppedAfter(killAt, affected);
        Thread.sleep(o.restartDown().toMillis());
        long startAt = System.nanoTime();
        String started;
        try {
            // the node may take long to recover its sessions' queues (3,334 took more than 5 minutes on this
            // machine at 10,000 units): it gets --max-wait; the fleet's own reconnect is measured either way
            started = cluster("start-node", Integer.toString(node), "--start-timeout",
                    Long.toString(Math.max(1, o.maxWait().toSeconds()))).strip();
        } catch (IOException e) {
            started = "NOT up within " + Fleet.fmt(o.maxWait());
            nodeNotBack = "node " + node + " did not come back within " + Fleet.fmt(o.maxWait()) + ": "
                    + e.getMessage().strip();
        }
        long upAt = System.nanoTime();
        int beforeUp = fleet.timeline.backBetween(killAt, upAt, affected);
        // back = each unit's first connect after the kill, to whichever node: units fail over to the other
        // nodes while theirs is down (mqtt.brokerUris), so measuring from the node's start would miss them
        while (fleet.timeline.allBackAfter(killAt, affected) < 0 && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        double back = fleet.timeline.allBackAfter(killAt, affected);
        int peak = fleet.timeline.peakPerSecond(killAt);
        long peakAttempts = fleet.timeline.peakAttemptsPerSecond(killAt);
        long attempts = fleet.timeline.attemptsSince(killAt);
        Set<Integer> others = new HashSet<>();
        for (int i = 0; i < fleet.units.size(); i++) {
            if (!affected.contains(i)) {
                others.add(i);
            }
        }
        long othersReconnected = fleet.timeline.connectsSince(killAt).stream().filter(c -> others.contains((int) c[1]))
                .count();
        out.println();
        out.println("| units on the node | all noticed after | node down (incl. its restart) | back before the node was up | all back after the kill | reconnect times after the kill | connect attempts (all units) | peak attempts/s | configured rate | peak connects/s (CONNACKs) | other units that reconnected |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        out.println(f("| %d | %s | %.0f s (%s) | %d | %s | %s | %d | %d | %d (attempts %s, connects %s) | %d | %d |",
                affected.size(), noticed < 0 ? "NOT within " + Fleet.fmt(o.maxWait()) : f("%.1f s", noticed),
                (upAt - killAt) / 1e9, started, beforeUp,
                back < 0 ? "NOT within " + Fleet.fmt(o.maxWait()) : f("%.1f s", back),
                fleet.timeline.spread(killAt, affected), attempts, peakAttempts, o.maxConnectRate(),
                peakAttempts <= o.maxConnectRate() ? "under" : "OVER",
                peak <= o.maxConnectRate() ? "under" : "OVER", peak, othersReconnected));
        out.println("(attempts: connects the units began, counted by each unit, whether a broker answered or not;"
                + " connects: sessions that came up, seen every " + ConnectionTimeline.TICK_MS + " ms)");
        double firstWindow = Math.max(0.001, o.reconnectMin().toMillis() / 1000.0);
        out.println(f("the units' backoff: reconnectMin %s, reconnectMax %s, full jitter: a unit whose node died tries"
                + " again uniformly within [0, %s], so about %d units / %.2f s = %.0f attempts/s are expected at first"
                + " (each failed attempt doubles the unit's window, up to reconnectMax)",
                Fleet.fmt(o.reconnectMin()), Fleet.fmt(o.reconnectMax()), Fleet.fmt(o.reconnectMin()), affected.size(),
                firstWindow, affected.size() / firstWindow));
        out.println("(node start measured from the kill; 'started' is the script's own measure of the node's boot, "
                + f("%.0f s", (upAt - startAt) / 1e9) + " with its checks)");
    }

    /** The whole cluster comes back after the outage: replay, live data, rates. */
    private void outage(long backlog) throws Exception {
        try (LiveProbe live = LiveProbe.start(o.amqp())) {
            long startAt = System.nanoTime();
            String started = cluster("start").lines().filter(l -> l.startsWith("cluster up")).findFirst().orElse("");
            long upAt = System.nanoTime();
            out.println("outage: " + started);
            long end = System.nanoTime() + o.maxWait().toNanos() * 3;
            long peakMessages = 0;
            long peakReadings = 0;
            long lastMessages = consumerMessages();
            long lastReadings = FleetCommand.written(fleet);
            long lastAt = System.nanoTime();
            double caughtUp = -1;
            List<Double> telemetryAgeDuringReplay = new ArrayList<>();
            while (System.nanoTime() < end) {
                Thread.sleep(1000);
                long now = System.nanoTime();
                long m = consumerMessages();
                long r = FleetCommand.written(fleet);
                double s = (now - lastAt) / 1e9;
                peakMessages = Math.max(peakMessages, Math.round((m - lastMessages) / s));
                peakReadings = Math.max(peakReadings, Math.round((r - lastReadings) / s));
                lastMessages = m;
                lastReadings = r;
                lastAt = now;
                if (pendingMax() <= 1000) {
                    caughtUp = (now - upAt) / 1e9;
                    break;
                }
            }
            out.println();
            out.println("| units | outage (accelerated) | backlog readings | cluster start | all caught up after | peak msgs/s at the consumer | peak readings/s at the consumer | live snapshots during the replay | their age (p50 / max) | telemetry batches' age meanwhile (max) |");
            out.println("|---|---|---|---|---|---|---|---|---|---|");
            out.println(f("| %d | %s | %d | %.0f s | %s | %d | %d | %d | %s | %s |", o.units(), Fleet.fmt(o.outage()),
                    backlog, (upAt - startAt) / 1e9, caughtUp < 0 ? "NOT within the wait" : f("%.0f s", caughtUp),
                    peakMessages, peakReadings, live.count(), live.ageSummary(), "the oldest replayed: " + Fleet.fmt(o.outage())));
            out.println(f("replay rate per unit at most sync.maxPublishesPerSecond 50 x %d readings; the units'"
                    + " live snapshots (QoS 0) go out beside it while more than sync.batchMaxReadings wait", 500));
        }
    }

    private long consumerMessages() {
        return fleet.ingest.map(IngestPipeline::stats).map(IngestPipeline.Stats::messages).orElse(0L);
    }

    /** The largest backlog of any complete agent. */
    private long pendingMax() {
        long max = 0;
        for (FleetUnit u : List.copyOf(fleet.units)) {
            FleetUnit.Progress p = u.progress();
            max = Math.max(max, p.lastSeq() - p.acknowledgedSeq());
        }
        return max;
    }

    private String cluster(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(clusterScript.toString());
        cmd.addAll(List.of(args));
        cmd.add("--dir");
        cmd.add(o.clusterDir().orElseThrow().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(o.maxWait().toMinutes() + 10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + text);
        }
        return text;
    }

    static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
