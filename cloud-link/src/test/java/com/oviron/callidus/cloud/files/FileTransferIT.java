package com.oviron.callidus.cloud.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.Backoff;
import com.oviron.callidus.cloud.LinkSettings;
import com.oviron.callidus.cloud.StatusMessage;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.paho.PahoMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.cloud.testing.CloudFilePeer;
import com.oviron.callidus.cloud.testing.CloudSubscriber;
import com.oviron.callidus.cloud.testing.EmbeddedBroker;
import com.oviron.callidus.cloud.testing.TcpProxy;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import com.oviron.callidus.store.transfers.SqliteTransferStore;
import com.oviron.callidus.store.transfers.StoredTransfer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * File transfer end to end: the real Paho connection through a TCP proxy that cuts the line mid-transfer,
 * the embedded HiveMQ broker, the real command channel and SQLite store, and a cloud peer on its own client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FileTransferIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CHUNK = 4096;
    /** Bytes of about 60 upload chunks as MQTT publishes (frame header, topic, packet overhead included). */
    private static final long SIXTY_CHUNKS_ON_THE_WIRE = 60L * (CHUNK + 200);

    @TempDir
    static Path dir;
    private EmbeddedBroker broker;

    @BeforeAll
    void startBroker() {
        broker = EmbeddedBroker.start(dir.resolve("broker"));
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    /** The unit's side, wired as the agent would. */
    private final class Unit implements AutoCloseable {
        final PahoMqttConnection link;
        final SqliteTransferStore store;
        final FileTransfers transfers;
        final CommandChannel channel;
        final ScheduledExecutorService fileThread = Executors.newSingleThreadScheduledExecutor();
        final ExecutorService commandThread = Executors.newSingleThreadExecutor();

        Unit(String uri, Topics topics, Path state, int chunksPerSecond,
             Map<FileKind, ReceivedFileHandler> receivers, UploadSources sources) throws Exception {
            // keep-alive and connect timeout as in production: a loaded machine must not lose healthy sessions
            LinkSettings ls = new LinkSettings(uri, topics.deviceId(), Duration.ofSeconds(30), Duration.ofSeconds(10),
                    new Backoff(Duration.ofMillis(100), Duration.ofMillis(300)), Optional.empty(), Optional.empty(),
                    16);
            link = new PahoMqttConnection(ls, topics.status(), topics.deviceId(), "test", Clock.systemUTC());
            store = SqliteTransferStore.open(state.resolve("transfers.db"), Clock.systemUTC());
            Map<FileKind, Long> quota = new EnumMap<>(FileKind.class);
            quota.put(FileKind.XRAY, 64L << 20);
            FileTransferSettings settings = new FileTransferSettings(state.resolve("parts"), quota, 64L << 20, 0,
                    CHUNK, ChunkFrame.MAX_DATA, 2, 16, 8, chunksPerSecond, Duration.ofSeconds(15),
                    Duration.ofSeconds(1), Duration.ofDays(7), Duration.ofDays(1), 50, 4L << 20);
            transfers = new FileTransfers(link, topics, store, settings, receivers, sources, fileThread,
                    Clock.systemUTC());
            channel = new CommandChannel(link, topics, new InMemoryCommandJournal(), commandThread, Clock.systemUTC());
            transfers.registerCommands(channel);
            channel.start();
            transfers.start();
            long startedAt = System.currentTimeMillis();
            try (CloudSubscriber status = new CloudSubscriber(broker.uri(), "cloud-status-" + topics.deviceId(),
                    topics.status())) {
                link.start();
                // "online" comes once the broker has answered the unit's subscriptions: a command sent on
                // "connected" alone can reach the broker before the subscription does and be dropped
                Await.until("unit online", WAIT, () -> status.receivedOn(topics.status()).stream()
                        .anyMatch(m -> isOnlineSince(m.payload(), startedAt)));
            }
        }

        StoredTransfer stored(String id) {
            try {
                return store.find(id).orElseThrow();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() throws Exception {
            transfers.close();
            link.close();
            fileThread.shutdownNow();
            commandThread.shutdownNow();
            store.close();
        }
    }

    private static boolean isOnlineSince(byte[] payload, long sinceMillis) {
        try {
            StatusMessage s = StatusMessage.decode(payload);
            return s.online() && s.atMillis() >= sinceMillis;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Path randomFile(String name, int size) throws Exception {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        Path f = dir.resolve(name);
        Files.write(f, b);
        return f;
    }

    @Test
    void a_download_cut_in_the_middle_resumes_with_only_the_missing_chunks() throws Exception {
        Topics topics = new Topics("CAL-FILE-IT-1");
        Path source = randomFile("scan.dcm", 64 * CHUNK + 777);
        int chunks = 65;
        AtomicReference<byte[]> received = new AtomicReference<>();
        ReceivedFileHandler receiver = (kind, name, file) -> {
            try {
                received.set(Files.readAllBytes(file));
            } catch (java.io.IOException e) {
                throw new FileRejectedException("unreadable", e);
            }
        };
        try (TcpProxy wifi = new TcpProxy(broker.port());
             CloudFilePeer cloud = new CloudFilePeer(broker.uri(), "cloud-files-1", topics, dir.resolve("cloud-1"));
             Unit unit = new Unit(wifi.uri(), topics, dir.resolve("unit-1"), 40, Map.of(FileKind.XRAY, receiver),
                     UploadSources.none())) {
            cloud.limitChunks(30);
            String offer = cloud.offer("dl-1", "xray", "scan.dcm", source, CHUNK, System.currentTimeMillis() + 600_000);
            Await.until("offer accepted", WAIT, () -> cloud.reply(offer) != null);
            assertTrue(cloud.reply(offer).get("ok").getAsBoolean(), cloud.reply(offer).toString());
            Await.until("30 chunks on the unit", WAIT, () -> unit.stored("dl-1").chunksDone() == 30);

            wifi.setRefusing(true);
            wifi.cut();
            Await.until("unit notices the cut", WAIT, () -> !unit.link.isConnected());
            BitSet before = unit.stored("dl-1").done();
            int needsBefore = cloud.needs().size();
            cloud.unlimitChunks();
            wifi.setRefusing(false);

            Await.until("download done", WAIT, () -> cloud.state("dl-1").equals("done"));
            assertArrayEquals(Files.readAllBytes(source), received.get(), "the SHA-256 matched and the file is whole");
            Set<Integer> askedAfter = new HashSet<>();
            cloud.needs().subList(needsBefore, cloud.needs().size()).forEach(askedAfter::addAll);
            for (int c : askedAfter) {
                assertTrue(!before.get(c), "chunk " + c + " was done before the cut and asked for again");
            }
            assertEquals(chunks - 30, askedAfter.size(), "after the cut the unit asked for the 35 it missed");
            // the 30 chunks of the budget went before the cut; after it only missing chunks were sent. A chunk
            // the unit asked for just before the cut (and never got) may be sent twice: the request reached the
            // cloud late, and the unit rightly asked again after reconnecting
            List<Integer> served = cloud.served("dl-1");
            assertEquals(chunks, new HashSet<>(served).size(), "every chunk was sent: " + served);
            for (int c : served.subList(30, served.size())) {
                assertTrue(!before.get(c), "chunk " + c + " was done before the cut and sent again: " + served);
            }
            assertEquals(64L * CHUNK + 777, cloud.lastProgress("dl-1").get("bytesDone").getAsLong());
        }
    }

    @Test
    void an_upload_cut_in_the_middle_resends_only_the_unacknowledged_chunks() throws Exception {
        Topics topics = new Topics("CAL-FILE-IT-2");
        Path source = randomFile("report.bin", 200 * CHUNK + 5);
        int chunks = 201;
        PathUploadSource upload = PathUploadSource.of(source);
        try (TcpProxy wifi = new TcpProxy(broker.port());
             CloudFilePeer cloud = new CloudFilePeer(broker.uri(), "cloud-files-2", topics, dir.resolve("cloud-2"));
             Unit unit = new Unit(wifi.uri(), topics, dir.resolve("unit-2"), 40, Map.of(), UploadSources.none())) {
            // the line stalls after about 60 chunks: the cut comes in the middle however fast the machine is
            wifi.stallAfter(SIXTY_CHUNKS_ON_THE_WIRE);
            String id = unit.transfers.send(FileKind.XRAY, "xray-2026.dcm", upload);
            Await.until("the upload stalls after some 45 acknowledged", WAIT,
                    () -> unit.stored(id).chunksDone() >= 45);

            wifi.setRefusing(true);
            wifi.cut();
            Await.until("unit notices the cut", WAIT, () -> !unit.link.isConnected());
            BitSet ackedAtCut = unit.stored(id).done();
            assertTrue(ackedAtCut.cardinality() < chunks, "cut in the middle, " + ackedAtCut.cardinality());
            wifi.unstall();
            wifi.setRefusing(false);

            Await.until("upload confirmed", WAIT, () -> cloud.state(id).equals("done"));
            CloudFilePeer.Upload up = cloud.upload(id);
            assertArrayEquals(upload.sha256(), CloudFilePeer.sha256(up.file()), "the SHA-256 matches");
            assertEquals("xray-2026.dcm", up.name());
            for (int c = ackedAtCut.nextSetBit(0); c >= 0; c = ackedAtCut.nextSetBit(c + 1)) {
                assertEquals(1, up.timesReceived(c), "acknowledged chunk " + c + " was sent again");
            }
            int frames = up.chunkFramesReceived();
            assertTrue(frames >= chunks && frames <= chunks + 8, "at most the window was sent twice: " + frames);
            JsonObject last = cloud.lastProgress(id);
            assertEquals("upload", last.get("direction").getAsString());
        }
    }

    @Test
    void an_upload_interrupted_by_a_restart_sends_only_what_was_not_acknowledged() throws Exception {
        Topics topics = new Topics("CAL-FILE-IT-3");
        Path source = randomFile("bundle.zip", 120 * CHUNK);
        PathUploadSource upload = PathUploadSource.of(source);
        UploadSources sources = (kind, name) -> name.equals("bundle.zip") ? Optional.of(upload) : Optional.empty();
        Path state = dir.resolve("unit-3");
        try (CloudFilePeer cloud = new CloudFilePeer(broker.uri(), "cloud-files-3", topics, dir.resolve("cloud-3"));
             TcpProxy wifi = new TcpProxy(broker.port())) {
            String id;
            BitSet ackedBefore;
            try (Unit first = new Unit(wifi.uri(), topics, state, 40, Map.of(), sources)) {
                // the line stalls after about 60 of the 120 chunks: the restart comes in the middle however fast
                // the machine is
                wifi.stallAfter(SIXTY_CHUNKS_ON_THE_WIRE);
                id = first.transfers.send(FileKind.SUPPORT_BUNDLE, "bundle.zip", upload);
                Await.until("the upload stalls after some 45 acknowledged", WAIT,
                        () -> first.stored(id).chunksDone() >= 45);
                wifi.setRefusing(true);
                wifi.cut(); // the power goes; what the unit holds in its transfer store is what counts
            }
            try (SqliteTransferStore peek = SqliteTransferStore.open(state.resolve("transfers.db"), Clock.systemUTC())) {
                ackedBefore = peek.find(id).orElseThrow().done();
            }
            assertTrue(ackedBefore.cardinality() < 120, "stopped in the middle");
            try (Unit second = new Unit(broker.uri(), topics, state, 40, Map.of(), sources)) {
                Await.until("upload confirmed", WAIT, () -> cloud.state(id).equals("done"));
                CloudFilePeer.Upload up = cloud.upload(id);
                assertArrayEquals(upload.sha256(), CloudFilePeer.sha256(up.file()));
                for (int c = ackedBefore.nextSetBit(0); c >= 0; c = ackedBefore.nextSetBit(c + 1)) {
                    assertEquals(1, up.timesReceived(c), "acknowledged chunk " + c + " was sent again");
                }
            }
        }
    }
}
