package com.oviron.callidus.tools.fleet;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.oviron.callidus.agent.ConfigException;
import com.oviron.callidus.agent.SharedAgentThreads;
import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.tools.ingest.IngestException;
import com.oviron.callidus.tools.ingest.IngestPipeline;
import com.oviron.callidus.tools.ingest.ReadingStore;
import com.oviron.callidus.tools.ingest.amqp.AmqpIngestSource;
import com.oviron.callidus.tools.ingest.jdbc.JdbcReadingStore;
import com.rabbitmq.client.Address;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A running fleet: complete agents and lightweight units in this JVM, spread over the brokers round-robin
 * (unit i on broker i mod n), the shared threads, a {@link ConnectionTimeline}, and, with AMQP addresses, the
 * reference consumer ({@code tools ingest}'s pipeline) in the same JVM, writing to SQLite (or the given JDBC
 * URL). Used by {@link FleetCommand} and the cluster integration test.
 */
final class Fleet implements AutoCloseable {
    /** The agents drain their store for this long when closed at the end (the agent's default is 5 s). */
    static final String DRAIN = "\"shutdown\": {\"drainTimeout\": \"2m\"}";

    final FleetOptions options;
    final Path dataDir;
    final List<FleetUnit> units = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> homeNode = new HashMap<>();
    final SharedAgentThreads agentThreads;
    final ScheduledThreadPoolExecutor timer;
    /** The lightweight units' MQTT clients: one Netty event loop group for all of them (ADR 0031). */
    private final ExecutorService lightClientThreadSource;
    final MqttClientExecutorConfig lightClientThreads;
    final ConnectionTimeline timeline;
    final Optional<IngestPipeline> ingest;
    final Optional<ReadingStore> store;
    private final Optional<AmqpIngestSource> source;
    private final PrintStream out;

    private Fleet(FleetOptions options, Path dataDir, PrintStream out) throws IngestException, IOException {
        this.options = options;
        this.dataDir = dataDir;
        this.out = out;
        this.agentThreads = new SharedAgentThreads(options.workers());
        this.timer = new ScheduledThreadPoolExecutor(Math.max(2, options.workers() / 2), daemonThreads("fleet-light"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.lightClientThreadSource = Executors.newCachedThreadPool(daemonThreads("fleet-light-mqtt"));
        this.lightClientThreads = LightUnit.clientThreads(lightClientThreadSource, Math.max(2, options.workers() / 2),
                this::dropWhenClosed);
        if (options.amqp().isPresent()) {
            String url = options.db().isEmpty() ? "jdbc:sqlite:" + dataDir.resolve("ingest.db") : options.db();
            ReadingStore s = JdbcReadingStore.open(url, Optional.empty(),
                    Optional.ofNullable(System.getenv("CALLIDUS_INGEST_DB_PASSWORD")));
            IngestPipeline pipeline = new IngestPipeline(s, 500);
            List<Address> addresses = new ArrayList<>();
            for (String a : options.amqp().get().split(",")) {
                String[] hp = a.trim().split(":");
                addresses.add(new Address(hp[0], Integer.parseInt(hp[1])));
            }
            AmqpIngestSource src = new AmqpIngestSource(addresses, "guest", "guest", "/", AmqpIngestSource.DEFAULT_QUEUE,
                    2000);
            src.start(pipeline::accept); // the queue exists before any unit sends
            this.store = Optional.of(s);
            this.ingest = Optional.of(pipeline);
            this.source = Optional.of(src);
        } else {
            this.store = Optional.empty();
            this.ingest = Optional.empty();
            this.source = Optional.empty();
        }
        this.timeline = new ConnectionTimeline(units, timer);
    }

    static Fleet create(FleetOptions options, Path dataDir, PrintStream out) throws IngestException, IOException {
        return new Fleet(options, dataDir, out);
    }

    static String completeId(int i) {
        return String.format("CAL-F%05d", i);
    }

    static String lightId(int i) {
        return String.format("CAL-L%05d", i);
    }

    Path folder(int i) {
        return dataDir.resolve("units").resolve(completeId(i));
    }

    /**
     * The brokers of unit i in the order it tries them: its home node (i mod n) first, then the others round the
     * list, so that a fleet starts spread over the nodes and the units of a dead node spread over the others.
     */
    List<String> brokersOf(int i) {
        List<String> b = options.brokers();
        List<String> order = new ArrayList<>();
        for (int k = 0; k < b.size(); k++) {
            order.add(b.get((i + k) % b.size()));
        }
        return order;
    }

    /** The mqtt section of unit i's configuration: mqtt.brokerUris from its home node on (see brokersOf). */
    String mqttJson(int i) {
        String brokers = brokersOf(i).stream().map(u -> "\"" + u + "\"").collect(java.util.stream.Collectors.joining(", "));
        return "\"allowPlainTcp\": true, \"brokerUris\": [" + brokers + "], \"protocol\": \"" + options.protocol()
                + "\", \"reconnectMin\": \""
                + fmt(options.reconnectMin()) + "\", \"reconnectMax\": \"" + fmt(options.reconnectMax())
                + "\", \"connectTimeout\": \"" + fmt(options.connectTimeout())
                + "\", \"persistentSession\": " + options.persistentSession();
    }

    /** The sync section: the agent's defaults unless --sync-interval says otherwise. */
    String syncJson() {
        return options.syncInterval().equals(com.oviron.callidus.agent.AgentConfigLoader.DEFAULT_SYNC_INTERVAL) ? ""
                : "\"sync\": {\"interval\": \"" + fmt(options.syncInterval()) + "\"},\n ";
    }

    /** Starts every unit, at most {@code startRate} per second: complete agents first, then lightweight ones. */
    void startUnits() throws IOException, ConfigException, StoreException, InterruptedException {
        long t0 = System.nanoTime();
        long perUnitNanos = 1_000_000_000L / options.startRate();
        Backoff backoff = new Backoff(options.reconnectMin(), options.reconnectMax());
        for (int i = 0; i < options.units(); i++) {
            long due = t0 + i * perUnitNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            FleetUnit u;
            if (i < options.complete()) {
                u = CompleteUnit.start(completeId(i), folder(i), i + 1, options.samplePeriod(), options.schedule(), mqttJson(i),
                        syncJson() + DRAIN, agentThreads);
            } else {
                LightUnit l = new LightUnit(lightId(i), brokersOf(i), timer, lightClientThreads,
                        backoff, options.persistentSession(), i + 1, options.samplePeriod(), options.schedule().equals("register-map"),
                        options.syncInterval(), options.connectTimeout());
                l.start();
                u = l;
            }
            homeNode.put(u.id(), i % options.brokers().size() + 1);
            units.add(u);
            if ((i + 1) % 500 == 0) {
                out.println("  started " + (i + 1) + " units, connected " + timeline.connectedNow());
            }
        }
    }

    /** Waits until every unit is connected; false after {@code max}. */
    boolean awaitAllConnected(Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (timeline.connectedNow() < units.size()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    /** What the end of a run found: every unit's readings against what the consumer wrote. */
    record Verdict(int units, long readingsAccepted, long readingsAtConsumer, long unitsMissingReadings, long gaps,
                   long notDrained, long lightDropped, String detail) {
        boolean nothingLost() {
            return unitsMissingReadings == 0 && gaps == 0 && notDrained == 0 && readingsAccepted == readingsAtConsumer;
        }
    }

    /**
     * Stops sampling, lets every unit send what it holds (complete agents: a clean close with a drain of up to
     * 2 minutes; lightweight units: until acknowledged), waits for the consumer to write it all, and compares.
     */
    Verdict stopAndVerify(Duration max) throws Exception {
        Map<String, Long> lastSeq = new HashMap<>();
        long notDrained = 0;
        long lightDropped = 0;
        for (FleetUnit u : units) {
            if (u instanceof LightUnit l) {
                l.stopSampling();
            }
        }
        ExecutorService closer = Executors.newFixedThreadPool(32);
        List<Future<long[]>> closed = new ArrayList<>();
        for (FleetUnit u : units) {
            if (u instanceof CompleteUnit c) {
                closed.add(closer.submit(() -> {
                    c.close();
                    FleetUnit.Progress p = c.progress();
                    return new long[] {p.lastSeq(), p.acknowledgedSeq()};
                }));
            }
        }
        int k = 0;
        for (FleetUnit u : units) {
            if (u instanceof CompleteUnit) {
                long[] p = closed.get(k++).get();
                lastSeq.put(u.id(), p[0]);
                if (p[1] < p[0]) {
                    notDrained++;
                }
            }
        }
        long end = System.nanoTime() + max.toNanos();
        // a lightweight unit's goodbye (its offline status, then DISCONNECT) takes a round trip or two: 10,000 of
        // them one after the other had not ended after 4 minutes, so they go on the closer's threads once drained
        List<Future<?>> lightClosed = new ArrayList<>();
        for (FleetUnit u : units) {
            if (u instanceof LightUnit l) {
                while (l.progress().acknowledgedSeq() < l.progress().lastSeq() && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                FleetUnit.Progress p = l.progress();
                if (p.acknowledgedSeq() < p.lastSeq()) {
                    notDrained++;
                }
                lightDropped += l.dropped();
                lastSeq.put(l.id(), p.lastSeq());
                lightClosed.add(closer.submit(l::close));
            }
        }
        for (Future<?> f : lightClosed) {
            f.get();
        }
        closer.shutdown();
        long accepted = lastSeq.values().stream().mapToLong(Long::longValue).sum() - lightDropped;
        if (store.isEmpty()) {
            return new Verdict(units.size(), accepted, -1, -1, -1, notDrained, lightDropped, "no consumer");
        }
        IngestPipeline pipeline = ingest.orElseThrow();
        while (pipeline.stats().readingsWritten() < accepted && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        while (!pipeline.idle() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        source.ifPresent(AmqpIngestSource::close);
        pipeline.close();
        List<ReadingStore.StreamSummary> summary = store.get().summary();
        List<ReadingStore.Gap> gaps = store.get().gaps();
        long atConsumer = 0;
        long missingUnits = 0;
        StringBuilder detail = new StringBuilder();
        Map<String, ReadingStore.StreamSummary> byDevice = new HashMap<>();
        for (ReadingStore.StreamSummary s : summary) {
            byDevice.put(s.device(), s);
            atConsumer += s.readings();
        }
        for (Map.Entry<String, Long> e : lastSeq.entrySet()) {
            ReadingStore.StreamSummary s = byDevice.get(e.getKey());
            boolean light = e.getKey().startsWith("CAL-L");
            boolean complete = s != null && s.lastSeq() == e.getValue() && (light || s.firstSeq() == 1)
                    && (light || s.readings() == e.getValue());
            if (!complete && e.getValue() > 0) {
                missingUnits++;
                if (detail.length() < 2000) {
                    detail.append(e.getKey()).append(" has ").append(e.getValue()).append(", consumer ")
                            .append(s == null ? "none" : s.readings() + " (" + s.firstSeq() + ".." + s.lastSeq() + ")")
                            .append("; ");
                }
            }
        }
        return new Verdict(units.size(), accepted, atConsumer, missingUnits, gaps.size(), notDrained, lightDropped,
                detail.toString());
    }

    @Override
    public void close() {
        timeline.close();
        List<FleetUnit> all;
        synchronized (units) {
            all = new ArrayList<>(units);
        }
        ExecutorService closer = Executors.newFixedThreadPool(32);
        for (FleetUnit u : all) {
            closer.execute(() -> {
                try {
                    u.close();
                } catch (RuntimeException e) {
                    out.println("  closing " + u.id() + " failed: " + e.getMessage());
                }
            });
        }
        closer.shutdown();
        try {
            closer.awaitTermination(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.ifPresent(AmqpIngestSource::close);
        ingest.ifPresent(IngestPipeline::close);
        store.ifPresent(ReadingStore::close);
        agentThreads.close();
        timer.shutdownNow();
        lightClientThreadSource.shutdownNow();
    }

    private static ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Where the lightweight units' clients report (a connect's outcome, a lost connection): the fleet's timer while
     * it runs. After {@link #close} a connect that was still waiting for its answer may end late; its word is
     * dropped, not handed to RxJava as an error nobody can take ("undeliverable", printed to stderr).
     */
    private void dropWhenClosed(Runnable callback) {
        try {
            timer.execute(callback);
        } catch (RejectedExecutionException e) {
            // the fleet is closed: nobody waits for this any more
        }
    }

    static String fmt(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
