package com.oviron.callidus.tools.benchmark;

import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.ConnectionListener;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.cloud.RateLimitedMqttConnection;
import com.oviron.callidus.cloud.SyncSettings;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.TelemetrySync;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.paho.PahoMqttConnection;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence;

/**
 * Store-and-forward figures: ingest rate into the SQLite outbox, the time to deliver a backlog to a local
 * Debian mosquitto with every batch acknowledged, bytes per reading on the wire, heap and RSS; and, in the
 * same run, the same kind of backlog through Paho's own offline buffer with its file persistence (one reading
 * per message), the way a naive agent would do it.
 *
 * <p>With {@code defaultConfig}, the backlog goes out as on a unit with the default configuration: the agent's
 * default {@code sync} settings (rate limit, window, batch sizes, growing batches) behind the connection-wide
 * rate limit of {@code mqtt.maxPublishesPerSecond}; without it, as fast as the outbox and broker allow (1000
 * readings per batch, 32 in flight, no rate limit).
 */
final class TelemetryBenchmark {
    private static final long DAY = 43_200_000L;
    private final PrintStream out;
    private final long readings;
    private final int channels;
    private final long baselineReadings;
    private final boolean defaultConfig;

    TelemetryBenchmark(PrintStream out, long readings, int channels, long baselineReadings, boolean defaultConfig) {
        this.out = out;
        this.readings = readings;
        this.channels = channels;
        this.baselineReadings = baselineReadings;
        this.defaultConfig = defaultConfig;
    }

    int run() throws Exception {
        Path dir = Files.createTempDirectory("callidus-telemetry-bench-");
        MemoryWatch memory = new MemoryWatch();
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"))) {
            out.printf(Locale.ROOT, "telemetry benchmark: %,d readings (%d channels at 10 Hz), SQLite outbox "
                    + "(durability FULL, groups of 1000), Debian mosquitto on %s%n", readings, channels, broker.uri());
            RetentionSettings retention = new RetentionSettings(64L * 1024 * 1024 * 1024, Duration.ofDays(3650),
                    Duration.ofDays(3650));
            try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(dir.resolve("agent.db"), Durability.FULL,
                    retention, Clock.systemUTC())) {
                memory.start();
                double ingestSeconds = ingest(outbox);
                out.printf(Locale.ROOT, "ingest:   %,d readings in %.1f s = %,.0f readings/s (%s on disk)%n", readings,
                        ingestSeconds, readings / ingestSeconds, mb(outbox.stats().usedBytes()));
                java.util.OptionalDouble cli = SqliteCliBaseline.rowsPerSecond(dir, readings, 1000);
                if (cli.isPresent()) {
                    out.printf(Locale.ROOT, "ingest baseline: sqlite3 command line, one row per reading (the table"
                                    + " before blocks), WAL, synchronous FULL, groups of 1000, rows made by SQL (no"
                                    + " driver): %,.0f rows/s; the outbox reaches"
                                    + " %.0f %% of it (goal: 1,500,000 readings/s)%n", cli.getAsDouble(),
                            100 * readings / ingestSeconds / cli.getAsDouble());
                } else {
                    out.println("ingest baseline: skipped, no sqlite3 command (Debian package sqlite3)");
                }
                SyncSettings sync = syncSettings();
                out.printf(Locale.ROOT, "sync:     %s (batchMaxReadings %d, inFlightWindow %d, interval %d ms, "
                                + "maxPublishesPerSecond %d, catchUpMaxReadings %d, catchUpMaxBytes %d; "
                                + "mqtt.maxPublishesPerSecond %d)%n",
                        defaultConfig ? "the agent's defaults" : "unthrottled", sync.batchMaxReadings(),
                        sync.inFlightWindow(), sync.interval().toMillis(), sync.maxPublishesPerSecond(),
                        sync.catchUpMaxReadings(), sync.catchUpMaxBytes(), linkRate());
                Delivery delivery = deliver(outbox, broker, sync);
                double seconds = delivery.seconds();
                out.printf(Locale.ROOT, "delivery: %,d readings to mosquitto, every batch acknowledged, in %.1f s = "
                                + "%,.0f readings/s; %.2f bytes per reading on the wire (format 2)%n", readings, seconds,
                        readings / seconds, (double) delivery.bytes() / readings);
                out.printf(Locale.ROOT, "batches:  %,d published, largest %,d bytes (%,d readings; limit %,d), "
                                + "%.0f readings per batch on average%n", delivery.batches(), delivery.largestBytes(),
                        delivery.largestReadings(), TelemetryBatchCodec.MAX_PAYLOAD_BYTES,
                        (double) readings / delivery.batches());
                out.printf(Locale.ROOT, "catch-up: a day's backlog (%,d readings) would take %.0f s at this rate "
                        + "(goal: under 120 s)%n", DAY, DAY / (readings / seconds));
                memory.stop();
                out.printf(Locale.ROOT, "memory:   heap used at most %s (after GC at most %s), RSS at most %s%n",
                        mb(memory.maxHeap), mb(memory.maxHeapAfterGc), mb(memory.maxRss));
                double baselinePerSecond = baseline(dir, broker);
                double ours = readings / seconds;
                out.printf(Locale.ROOT, "baseline: Paho offline buffer + file persistence, 1 reading per message: "
                                + "%,d readings in %.1f s = %,.0f readings/s; a day (%,d) would take %.0f min%n",
                        baselineReadings, baselineReadings / baselinePerSecond, baselinePerSecond, DAY,
                        DAY / baselinePerSecond / 60);
                out.printf(Locale.ROOT, "ratio:    the outbox delivers %.0fx the readings per second of the baseline%n",
                        ours / baselinePerSecond);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private double ingest(SqliteTelemetryOutbox outbox) throws Exception {
        Random random = new Random(1);
        double[] level = new double[channels];
        for (int c = 0; c < channels; c++) {
            level[c] = 1 + random.nextInt(50);
        }
        // the channel names once, as the agent has them (from its register map), not a new string per reading
        String[] names = new String[channels];
        for (int c = 0; c < channels; c++) {
            names[c] = "channel_" + c;
        }
        long ts = System.currentTimeMillis() - readings / channels * 100;
        long start = System.nanoTime();
        List<NewReading> group = new ArrayList<>(1000);
        long done = 0;
        while (done < readings) {
            for (int c = 0; c < channels && done < readings; c++, done++) {
                level[c] += random.nextGaussian() * 0.01;
                group.add(new NewReading(names[c], ts, Math.round(level[c] * 1000) / 1000.0, 0));
                if (group.size() == 1000) {
                    outbox.append(group);
                    group.clear();
                }
            }
            ts += 100;
        }
        if (!group.isEmpty()) {
            outbox.append(group);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private SyncSettings syncSettings() {
        if (!defaultConfig) {
            return new SyncSettings(1000, 32, Duration.ofMillis(20), 0);
        }
        return new SyncSettings(AgentConfigLoader.DEFAULT_BATCH_MAX_READINGS, AgentConfigLoader.DEFAULT_IN_FLIGHT_WINDOW,
                AgentConfigLoader.DEFAULT_SYNC_INTERVAL, AgentConfigLoader.DEFAULT_MAX_PUBLISHES_PER_SECOND,
                SyncSettings.DEFAULT_CATCH_UP_MAX_READINGS, SyncSettings.DEFAULT_CATCH_UP_MAX_BYTES);
    }

    /** The connection-wide limit the agent puts in front of Paho (0: none). */
    private int linkRate() {
        return defaultConfig ? AgentConfigLoader.DEFAULT_LINK_PUBLISHES_PER_SECOND : 0;
    }

    private record Delivery(double seconds, long bytes, long batches, long largestBytes, int largestReadings) {
    }

    private Delivery deliver(SqliteTelemetryOutbox outbox, MosquittoBroker broker, SyncSettings syncSettings)
            throws Exception {
        LinkSettings settings = new LinkSettings(broker.uri(), "CAL-BENCH-1", Duration.ofSeconds(30),
                Duration.ofSeconds(10), new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), Optional.empty(),
                Optional.empty(), AgentConfigLoader.DEFAULT_MAX_INFLIGHT);
        Topics topics = new Topics("CAL-BENCH-1");
        MqttConnection paho = new PahoMqttConnection(settings, topics.status(), "CAL-BENCH-1", "bench",
                Clock.systemUTC());
        MqttConnection limited = linkRate() > 0 ? new RateLimitedMqttConnection(paho, linkRate()) : paho;
        CountingConnection counting = new CountingConnection(limited, topics.telemetry());
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        TelemetrySync sync = new TelemetrySync(outbox, counting, topics, syncSettings, executor, Clock.systemUTC());
        long start = System.nanoTime();
        try {
            sync.start();
            counting.start();
            long target = outbox.lastSeq();
            while (outbox.acknowledgedSeq() < target) {
                Thread.sleep(50);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            byte[] largest = counting.largest();
            int largestReadings = largest.length == 0 ? 0 : TelemetryBatchCodec.decode(largest).readings().size();
            return new Delivery(seconds, counting.bytes.get(), counting.batches.get(), largest.length,
                    largestReadings);
        } finally {
            sync.close();
            counting.close();
            executor.shutdownNow();
        }
    }

    /** Paho's offline buffer with file persistence, one reading per QoS 1 message; returns readings/s. */
    private double baseline(Path dir, MosquittoBroker broker) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker.uri(), "CAL-BASELINE-1",
                new MqttDefaultFilePersistence(dir.resolve("paho").toString()));
        DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
        buffer.setBufferEnabled(true);
        buffer.setPersistBuffer(true);
        buffer.setBufferSize((int) baselineReadings + 10);
        buffer.setDeleteOldestMessages(false);
        client.setBufferOpts(buffer);
        AtomicLong acked = new AtomicLong();
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                acked.incrementAndGet();
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setMaxInflight(64);
        options.setAutomaticReconnect(true);
        // first connect and disconnect, so that the client exists offline with its buffer
        client.connect(options).waitForCompletion(10_000);
        client.disconnect().waitForCompletion(10_000);
        long start = System.nanoTime();
        long ts = System.currentTimeMillis();
        for (long i = 0; i < baselineReadings; i++) {
            String json = "{\"s\":" + i + ",\"c\":\"channel_" + (i % channels) + "\",\"t\":" + (ts + i / channels * 100)
                    + ",\"v\":" + (1.0 + (i % 100) / 1000.0) + ",\"q\":0}";
            while (true) {
                try {
                    client.publish("callidus/v1/CAL-BASELINE-1/telemetry", json.getBytes(), 1, false);
                    break;
                } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                    if (e.getReasonCode() != org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_MAX_INFLIGHT) {
                        throw e;
                    }
                    Thread.sleep(1);
                }
            }
        }
        client.connect(options).waitForCompletion(10_000);
        while (acked.get() < baselineReadings) {
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        client.disconnect().waitForCompletion(10_000);
        client.close();
        return baselineReadings / seconds;
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1024.0 / 1024.0);
    }

    /** Counts the payload bytes and the publishes on the telemetry topic, and keeps the largest payload. */
    private static final class CountingConnection implements MqttConnection {
        private final MqttConnection inner;
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
        private final String topic;
        private byte[] largest = new byte[0];

        CountingConnection(MqttConnection inner, String topic) {
            this.inner = inner;
            this.topic = topic;
        }

        synchronized byte[] largest() {
            return largest;
        }

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public boolean isConnected() {
            return inner.isConnected();
        }

        @Override
        public CompletableFuture<Void> publish(String t, byte[] payload, int qos, boolean retained) {
            if (t.equals(topic)) {
                bytes.addAndGet(payload.length);
                batches.incrementAndGet();
                synchronized (this) {
                    if (payload.length > largest.length) {
                        largest = payload;
                    }
                }
            }
            return inner.publish(t, payload, qos, retained);
        }

        @Override
        public void subscribe(String filter, int qos, com.oviron.callidus.cloud.MessageListener listener) {
            inner.subscribe(filter, qos, listener);
        }

        @Override
        public void addListener(ConnectionListener listener) {
            inner.addListener(listener);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Samples heap and RSS every 100 ms. */
    private static final class MemoryWatch {
        volatile long maxHeap;
        volatile long maxHeapAfterGc;
        volatile long maxRss;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        void start() {
            timer.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
        }

        private void sample() {
            maxHeap = Math.max(maxHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                var after = pool.getCollectionUsage();
                if (after != null && pool.getType() == java.lang.management.MemoryType.HEAP) {
                    maxHeapAfterGc = Math.max(maxHeapAfterGc, after.getUsed());
                }
            }
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        maxRss = Math.max(maxRss, Long.parseLong(line.replaceAll("\\D", "")) * 1024);
                    }
                }
            } catch (Exception ignored) {
                // no /proc: RSS stays 0
            }
        }

        void stop() {
            sample();
            timer.shutdownNow();
        }
    }
}
