package com.oviron.callidus.cloud.files;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.command.CommandChannel;
import com.oviron.callidus.cloud.fake.FakeMqttConnection;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.fake.InMemoryCommandJournal;
import com.oviron.callidus.store.transfers.SqliteTransferStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One unit under test: the engine on a fake link, a real SQLite transfer store, the real command channel. */
final class TestUnit implements AutoCloseable {
    /** Deadline for the unit's threads; a passing run never waits this long, a loaded CI machine may take seconds. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Topics TOPICS = new Topics("CAL-T-1");
    static final FileTopics FILES = new FileTopics(TOPICS);

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        final AtomicLong millis = new AtomicLong(1_800_000_000_000L);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }
    }

    final FakeMqttConnection link = new FakeMqttConnection();
    final MutableClock clock;
    final SqliteTransferStore store;
    final FileTransfers transfers;
    final CommandChannel channel;
    private final ScheduledExecutorService fileThread = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService commandThread = Executors.newSingleThreadExecutor();
    private final AtomicInteger commandIds = new AtomicInteger();

    TestUnit(Path stateFile, FileTransferSettings settings, Map<FileKind, ReceivedFileHandler> receivers,
             UploadSources sources, MutableClock clock) throws Exception {
        this.clock = clock;
        this.store = SqliteTransferStore.open(stateFile, clock);
        this.transfers = new FileTransfers(link, TOPICS, store, settings, receivers, sources, fileThread, clock);
        this.channel = new CommandChannel(link, TOPICS, new InMemoryCommandJournal(), commandThread, clock);
        transfers.registerCommands(channel);
        channel.start();
        transfers.start();
        link.start();
        link.connect();
    }

    /** Sends a command and returns its reply. */
    JsonObject command(String name, JsonObject args) {
        String id = "c-" + commandIds.incrementAndGet() + "-" + System.nanoTime();
        JsonObject cmd = new JsonObject();
        cmd.addProperty("v", 1);
        cmd.addProperty("id", id);
        cmd.addProperty("name", name);
        cmd.add("args", args);
        cmd.addProperty("issuedAt", clock.millis());
        cmd.addProperty("expiresAt", clock.millis() + 60_000);
        int before = link.publishes().size();
        link.deliver(TOPICS.commands(), cmd.toString().getBytes(StandardCharsets.UTF_8));
        JsonObject[] reply = new JsonObject[1];
        Await.until("reply to " + name, WAIT, () -> {
            List<FakeMqttConnection.Publish> all = link.publishes();
            for (int i = before; i < all.size(); i++) {
                if (all.get(i).topic().equals(TOPICS.replies())) {
                    JsonObject r = json(all.get(i).payload());
                    if (r.get("id").getAsString().equals(id)) {
                        reply[0] = r;
                        return true;
                    }
                }
            }
            return false;
        });
        return reply[0];
    }

    /** Every JSON message published on {@code topic} so far. */
    List<JsonObject> published(String topic) {
        List<JsonObject> out = new ArrayList<>();
        for (FakeMqttConnection.Publish p : link.publishes()) {
            if (p.topic().equals(topic)) {
                out.add(json(p.payload()));
            }
        }
        return out;
    }

    List<FakeMqttConnection.Publish> publishesOn(String topic) {
        return link.publishes().stream().filter(p -> p.topic().equals(topic)).toList();
    }

    /** The chunk indexes asked for in need messages from {@code from} on, in order. */
    List<Integer> needed(int from) {
        List<JsonObject> needs = published(FILES.need());
        List<Integer> out = new ArrayList<>();
        for (JsonObject n : needs.subList(Math.min(from, needs.size()), needs.size())) {
            out.addAll(ChunkList.parse(n.get("chunks"), Integer.MAX_VALUE));
        }
        return out;
    }

    /** The newest progress report of a transfer, or null. */
    JsonObject lastProgress(String transferId) {
        JsonObject last = null;
        for (JsonObject p : published(FILES.progress())) {
            if (p.get("transferId").getAsString().equals(transferId)) {
                last = p;
            }
        }
        return last;
    }

    String state(String transferId) {
        JsonObject p = lastProgress(transferId);
        return p == null ? "none" : p.get("state").getAsString();
    }

    /** Holds the transfer thread until the returned latch is counted down. */
    java.util.concurrent.CountDownLatch blockTransferThread() {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        fileThread.execute(() -> {
            try {
                release.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    /** Waits for the transfer thread to do everything posted so far. */
    void settle() throws Exception {
        fileThread.submit(() -> null).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static JsonObject json(byte[] payload) {
        return JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static JsonArray array(JsonElement... items) {
        JsonArray a = new JsonArray();
        for (JsonElement e : items) {
            a.add(e);
        }
        return a;
    }

    @Override
    public void close() throws Exception {
        transfers.close();
        fileThread.shutdownNow();
        commandThread.shutdownNow();
        fileThread.awaitTermination(5, TimeUnit.SECONDS);
        commandThread.awaitTermination(5, TimeUnit.SECONDS);
        store.close();
    }
}
