package com.oviron.callidus.tools.benchmark;

import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.files.ChunkFrame;
import com.oviron.callidus.cloud.files.FileKind;
import com.oviron.callidus.cloud.files.FileTopics;
import com.oviron.callidus.cloud.files.FileTransferSettings;
import com.oviron.callidus.cloud.files.FileTransfers;
import com.oviron.callidus.cloud.files.PathUploadSource;
import com.oviron.callidus.cloud.files.ReceivedFileHandler;
import com.oviron.callidus.cloud.files.UploadSources;
import com.oviron.callidus.cloud.paho.PahoMqttConnection;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.MosquittoBroker;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import com.oviron.callidus.store.transfers.SqliteTransferStore;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An X-ray image through a local Debian mosquitto with the file-transfer engine (unit to cloud with the chunk
 * rate limit and without it, and cloud to unit), timed from the start until the receiving side has the whole
 * file checked; and, in the same run, the same bytes published raw (same chunk size, QoS 1, the same window
 * of unacknowledged publishes, no rate limit, no state, no hash) until a subscriber has them all.
 */
final class XrayBenchmark {
    private static final Duration WAIT = Duration.ofMinutes(15);

    private final PrintStream out;
    private final long bytes;
    private final int rate;

    XrayBenchmark(PrintStream out, long bytes, int rate) {
        this.out = out;
        this.bytes = bytes;
        this.rate = rate;
    }

    int run() throws Exception {
        Path dir = Files.createTempDirectory("callidus-xray-bench-");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"))) {
            Path image = dir.resolve("xray.dcm");
            writeRandom(image, bytes);
            PathUploadSource source = PathUploadSource.of(image);
            FileTransferSettings defaults = FileTransferSettings.defaults(dir.resolve("parts"));
            int chunk = defaults.defaultChunkSize();
            long chunks = (bytes + chunk - 1) / chunk;
            out.printf(Locale.ROOT, "xray benchmark: %.1f MiB random file, %d chunks of %d KiB, window %d, "
                            + "Debian mosquitto on %s%n", bytes / 1048576.0, chunks, chunk / 1024, defaults.window(),
                    broker.uri());

            double raw = raw(broker, image, chunk, defaults.window());
            out.printf(Locale.ROOT, "raw publish:               %6.1f s  %6.2f MiB/s  (QoS 1, window %d, no rate limit,"
                    + " no state, no hash)%n", raw, bytes / raw / 1048576.0, defaults.window());
            double limited = upload(broker, dir, source, defaults.withChunksPerSecond(rate), "a");
            report("upload, rate limit " + rate + "/s:", limited, raw);
            double unlimited = upload(broker, dir, source, defaults.withChunksPerSecond(0), "b");
            report("upload, no rate limit:", unlimited, raw);
            double download = download(broker, dir, image, defaults, chunk);
            report("download (cloud paced):", download, raw);
            out.printf(Locale.ROOT, "the rate limit caps uploads at %d x %d KiB = %.2f MiB/s; the engine adds per"
                    + " chunk: a CRC frame and a bitmap update (uploads: fsync'd per PUBACK; downloads: the part file and the"
                    + " bitmap fsync'd once per window of chunks)%n", rate,
                    chunk / 1024, rate * (double) chunk / 1048576.0);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private void report(String what, double seconds, double rawSeconds) {
        out.printf(Locale.ROOT, "%-26s %6.1f s  %6.2f MiB/s  = %.2f x raw throughput%n", what, seconds,
                bytes / seconds / 1048576.0, rawSeconds / seconds);
    }

    private static void writeRandom(Path file, long size) throws Exception {
        Random random = new Random(20);
        byte[] buffer = new byte[1 << 20];
        try (var o = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buffer.length) {
                random.nextBytes(buffer);
                o.write(buffer, 0, (int) Math.min(buffer.length, size - done));
            }
        }
    }

    /** The same frames, published raw with a window of {@code window}; seconds until a subscriber had them. */
    private double raw(MosquittoBroker broker, Path image, int chunk, int window) throws Exception {
        String topic = new FileTopics(new Topics("CAL-RAW-1")).upload();
        AtomicLong receivedBytes = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        MqttAsyncClient sub = client(broker, "bench-raw-sub", 1000);
        sub.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String t, MqttMessage m) {
                if (receivedBytes.addAndGet(m.getPayload().length - ChunkFrame.headerLength(9)) >= bytes) {
                    all.countDown();
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        sub.subscribe(topic, 1).waitForCompletion(10_000);
        MqttAsyncClient pub = client(broker, "bench-raw-pub", window);
        long start = System.nanoTime();
        try (RandomAccessFile in = new RandomAccessFile(image.toFile(), "r")) {
            byte[] data = new byte[chunk];
            for (long offset = 0; offset < bytes; offset += chunk) {
                int len = (int) Math.min(chunk, bytes - offset);
                in.seek(offset);
                in.readFully(data, 0, len);
                byte[] frame = ChunkFrame.encode("raw-00001", offset, data, 0, len);
                while (true) {
                    try {
                        pub.publish(topic, frame, 1, false);
                        break;
                    } catch (MqttException e) {
                        if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                            throw e;
                        }
                        Thread.sleep(0, 200_000);
                    }
                }
            }
        }
        if (!all.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("raw publish: subscriber got " + receivedBytes.get() + " of " + bytes);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pub.disconnect().waitForCompletion(5000);
        pub.close();
        sub.disconnect().waitForCompletion(5000);
        sub.close();
        return seconds;
    }

    private static MqttAsyncClient client(MosquittoBroker broker, String id, int inflight) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(broker.uri(), id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(inflight);
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    /** The unit's side as the agent wires it. */
    private static final class Unit implements AutoCloseable {
        final PahoMqttConnection link;
        final SqliteTransferStore store;
        final FileTransfers transfers;
        final ScheduledExecutorService fileThread = Executors.newSingleThreadScheduledExecutor(r ->
                new Thread(r, "file-transfer"));
        final ExecutorService commandThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "commands"));

        Unit(MosquittoBroker broker, Topics topics, Path state, FileTransferSettings settings,
             Map<FileKind, ReceivedFileHandler> receivers) throws Exception {
            LinkSettings ls = new LinkSettings(broker.uri(), topics.deviceId(), Duration.ofSeconds(30),
                    Duration.ofSeconds(10), new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                    Optional.empty(), Optional.empty(), 64);
            link = new PahoMqttConnection(ls, topics.status(), topics.deviceId(), "bench", Clock.systemUTC());
            store = SqliteTransferStore.open(state.resolve("transfers.db"), Clock.systemUTC());
            transfers = new FileTransfers(link, topics, store, settings, receivers, UploadSources.none(), fileThread,
                    Clock.systemUTC());
            CommandChannel channel = new CommandChannel(link, topics, new InMemoryCommandJournal(), commandThread,
                    Clock.systemUTC());
            transfers.registerCommands(channel);
            channel.start();
            transfers.start();
            link.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!link.isConnected()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("unit did not connect to " + broker.uri());
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void close() {
            transfers.close();
            link.close();
            fileThread.shutdownNow();
            commandThread.shutdownNow();
            store.close();
        }
    }

    private double upload(MosquittoBroker broker, Path dir, PathUploadSource source, FileTransferSettings settings,
                          String run) throws Exception {
        Topics topics = new Topics("CAL-XRAY-UP-" + run);
        try (CloudFilePeer cloud = new CloudFilePeer(broker.uri(), "bench-cloud-up-" + run, topics,
                dir.resolve("cloud-up-" + run));
             Unit unit = new Unit(broker, topics, Files.createDirectories(dir.resolve("unit-up-" + run)), settings,
                     Map.of())) {
            long start = System.nanoTime();
            String id = unit.transfers.send(FileKind.XRAY, "xray.dcm", source);
            await(() -> cloud.state(id).equals("done"), "upload confirmed");
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!Arrays.equals(source.sha256(), CloudFilePeer.sha256(cloud.upload(id).file()))) {
                throw new IllegalStateException("uploaded file differs");
            }
            return seconds;
        }
    }

    private double download(MosquittoBroker broker, Path dir, Path image, FileTransferSettings settings, int chunk)
            throws Exception {
        Topics topics = new Topics("CAL-XRAY-DOWN");
        AtomicReference<byte[]> hash = new AtomicReference<>();
        ReceivedFileHandler receiver = (kind, name, file) -> {
            try {
                hash.set(CloudFilePeer.sha256(file));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (CloudFilePeer cloud = new CloudFilePeer(broker.uri(), "bench-cloud-down", topics,
                dir.resolve("cloud-down"));
             Unit unit = new Unit(broker, topics, Files.createDirectories(dir.resolve("unit-down")),
                     settings.withMinFreeBytes(0), Map.of(FileKind.XRAY, receiver))) {
            long start = System.nanoTime();
            cloud.offer("dl-xray-1", "xray", "xray.dcm", image, chunk, System.currentTimeMillis() + 3_600_000);
            await(() -> cloud.state("dl-xray-1").equals("done") || cloud.state("dl-xray-1").equals("failed"),
                    "download done");
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!cloud.state("dl-xray-1").equals("done")
                    || !MessageDigest.isEqual(hash.get(), CloudFilePeer.sha256(image))) {
                throw new IllegalStateException("download failed: " + cloud.lastProgress("dl-xray-1"));
            }
            return seconds;
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
