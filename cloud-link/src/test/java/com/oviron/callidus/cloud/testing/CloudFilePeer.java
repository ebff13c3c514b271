package com.oviron.callidus.cloud.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.files.ChunkFrame;
import com.oviron.callidus.cloud.files.ChunkList;
import com.oviron.callidus.cloud.files.FileTopics;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The cloud's side of file transfers for tests, demos and benchmarks (docs/protocol.md), on its own Paho
 * client: offers downloads with {@code file.offer} and serves the chunks the unit asks for; receives uploads
 * (writes chunks by offset, checks the SHA-256) and confirms them with {@code file.received}, or names the
 * chunks it misses. Counts every chunk in both directions, so tests can tell what was sent again. Message
 * handling runs on its own thread, never on Paho's.
 */
public final class CloudFilePeer implements AutoCloseable {
    /** How long a connect, subscribe or command publish may take; a loaded build machine can take seconds. */
    private static final long WAIT_MILLIS = 60_000;

    /** An upload as the cloud sees it. */
    public static final class Upload {
        final String id;
        final String kind;
        final String name;
        final long size;
        final String sha256;
        final int chunkSize;
        final int chunks;
        final Path file;
        final BitSet received = new BitSet();
        final AtomicInteger[] receivedCount;
        volatile boolean confirmed;
        volatile String hashSeen = "";

        Upload(JsonObject offer, Path dir) {
            id = offer.get("transferId").getAsString();
            kind = offer.get("kind").getAsString();
            name = offer.get("name").getAsString();
            size = offer.get("size").getAsLong();
            sha256 = offer.get("sha256").getAsString();
            chunkSize = offer.get("chunkSize").getAsInt();
            chunks = offer.get("chunks").getAsInt();
            file = dir.resolve(id + ".upload");
            receivedCount = new AtomicInteger[chunks];
            for (int i = 0; i < chunks; i++) {
                receivedCount[i] = new AtomicInteger();
            }
        }

        public Path file() {
            return file;
        }

        public String name() {
            return name;
        }

        public String kind() {
            return kind;
        }

        public boolean confirmed() {
            return confirmed;
        }

        /** How often chunk {@code i} arrived. */
        public int timesReceived(int i) {
            return receivedCount[i].get();
        }

        public int chunkFramesReceived() {
            int n = 0;
            for (AtomicInteger c : receivedCount) {
                n += c.get();
            }
            return n;
        }

        public int chunks() {
            return chunks;
        }
    }

    private record Download(String id, Path file, int chunkSize, long size) {
    }

    private final MqttAsyncClient client;
    private final Topics topics;
    private final FileTopics files;
    private final Path workDir;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cloud-file-peer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Download> downloads = new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> served = new ConcurrentHashMap<>();
    private final List<List<Integer>> needs = new ArrayList<>();
    private final List<JsonObject> progress = new ArrayList<>();
    private final Map<String, JsonObject> replies = new ConcurrentHashMap<>();
    private final AtomicLong commandIds = new AtomicLong();
    private final AtomicLong chunkBudget = new AtomicLong(Long.MAX_VALUE);

    public CloudFilePeer(String brokerUri, String clientId, Topics unit, Path workDir) throws MqttException {
        this.topics = unit;
        this.files = new FileTopics(unit);
        this.workDir = workDir;
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
        client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    worker.execute(CloudFilePeer.this::subscribeQuietly);
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                byte[] payload = message.getPayload();
                worker.execute(() -> handle(topic, payload));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        // a persistent session, as docs/protocol.md asks of the cloud: what the unit sends while this peer
        // reconnects is queued by the broker
        options.setCleanSession(false);
        options.setMaxInflight(1000);
        options.setConnectionTimeout(30); // seconds: a loaded build machine can be slow to answer CONNECT
        // a demo stops the broker for a while: come back by itself and subscribe again
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(1_000);
        client.connect(options).waitForCompletion(WAIT_MILLIS);
        subscribe();
    }

    private void subscribe() throws MqttException {
        String base = Topics.ROOT + "/" + topics.deviceId() + "/file/";
        client.subscribe(new String[] {base + "need", base + "offer", base + "upload", base + "progress",
                topics.replies()}, new int[] {1, 1, 1, 1, 1}).waitForCompletion(WAIT_MILLIS);
    }

    private void subscribeQuietly() {
        try {
            subscribe();
        } catch (MqttException e) {
            // the next reconnect tries again
        }
    }

    /** Whether the peer's session is up. */
    public boolean isConnected() {
        return client.isConnected();
    }

    /** Serves at most {@code chunks} more download chunks; requests beyond it are ignored (as if lost). */
    public void limitChunks(long chunks) {
        chunkBudget.set(chunks);
    }

    public void unlimitChunks() {
        chunkBudget.set(Long.MAX_VALUE);
    }

    /** Offers {@code file} to the unit and serves its chunks on request; returns the command id. */
    public String offer(String transferId, String kind, String name, Path file, int chunkSize, long deadlineMillis)
            throws IOException, MqttException {
        long size = Files.size(file);
        downloads.put(transferId, new Download(transferId, file, chunkSize, size));
        served.put(transferId, java.util.Collections.synchronizedList(new ArrayList<>()));
        JsonObject args = new JsonObject();
        args.addProperty("transferId", transferId);
        args.addProperty("kind", kind);
        args.addProperty("name", name);
        args.addProperty("size", size);
        args.addProperty("sha256", HexFormat.of().formatHex(sha256(file)));
        args.addProperty("chunkSize", chunkSize);
        args.addProperty("deadline", deadlineMillis);
        return command("file.offer", args);
    }

    /** Sends a command to the unit; returns its id ({@link #reply} has the answer once it came). */
    public String command(String name, JsonObject args) throws MqttException {
        String id = "cloud-" + commandIds.incrementAndGet() + "-" + System.nanoTime();
        JsonObject cmd = new JsonObject();
        long now = System.currentTimeMillis();
        cmd.addProperty("v", 1);
        cmd.addProperty("id", id);
        cmd.addProperty("name", name);
        cmd.add("args", args);
        cmd.addProperty("issuedAt", now);
        cmd.addProperty("expiresAt", now + 300_000);
        client.publish(topics.commands(), cmd.toString().getBytes(StandardCharsets.UTF_8), 1, false)
                .waitForCompletion(WAIT_MILLIS);
        return id;
    }

    public JsonObject reply(String commandId) {
        return replies.get(commandId);
    }

    /** The download chunk indexes served so far, in order (duplicates included). */
    public List<Integer> served(String transferId) {
        List<Integer> s = served.get(transferId);
        synchronized (s) {
            return List.copyOf(s);
        }
    }

    /** Every need message's chunk list, in order. */
    public synchronized List<List<Integer>> needs() {
        return List.copyOf(needs);
    }

    public Upload upload(String transferId) {
        return uploads.get(transferId);
    }

    public Map<String, Upload> uploads() {
        return Map.copyOf(uploads);
    }

    /** The newest progress report of a transfer, or null. */
    public synchronized JsonObject lastProgress(String transferId) {
        JsonObject last = null;
        for (JsonObject p : progress) {
            if (p.get("transferId").getAsString().equals(transferId)) {
                last = p;
            }
        }
        return last;
    }

    public String state(String transferId) {
        JsonObject p = lastProgress(transferId);
        return p == null ? "none" : p.get("state").getAsString();
    }

    private void handle(String topic, byte[] payload) {
        try {
            if (topic.equals(files.need())) {
                need(json(payload));
            } else if (topic.equals(files.offer())) {
                uploadOffered(json(payload));
            } else if (topic.equals(files.upload())) {
                uploadChunk(payload);
            } else if (topic.equals(files.progress())) {
                synchronized (this) {
                    progress.add(json(payload));
                }
            } else if (topic.equals(topics.replies())) {
                JsonObject r = json(payload);
                replies.put(r.get("id").getAsString(), r);
            }
        } catch (RuntimeException | IOException | MqttException e) {
            System.err.println("cloud file peer: " + topic + ": " + e);
        }
    }

    private void need(JsonObject need) throws IOException, MqttException {
        String id = need.get("transferId").getAsString();
        Download d = downloads.get(id);
        if (d == null) {
            return;
        }
        int chunks = (int) ((d.size() + d.chunkSize() - 1) / d.chunkSize());
        List<Integer> asked = ChunkList.parse(need.get("chunks"), chunks);
        synchronized (this) {
            needs.add(asked);
        }
        try (RandomAccessFile in = new RandomAccessFile(d.file().toFile(), "r")) {
            for (int c : asked) {
                if (chunkBudget.getAndUpdate(b -> b == Long.MAX_VALUE ? b : Math.max(0, b - 1)) <= 0) {
                    return;
                }
                long offset = (long) c * d.chunkSize();
                byte[] data = new byte[(int) Math.min(d.chunkSize(), d.size() - offset)];
                in.seek(offset);
                in.readFully(data);
                publish(files.chunk(), ChunkFrame.encode(id, offset, data, 0, data.length));
                served.get(id).add(c);
            }
        }
    }

    private void publish(String topic, byte[] payload) throws MqttException {
        while (true) {
            try {
                client.publish(topic, payload, 1, false);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                    throw e;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void uploadOffered(JsonObject offer) throws IOException, MqttException {
        String id = offer.get("transferId").getAsString();
        Upload u = uploads.computeIfAbsent(id, k -> new Upload(offer, workDir));
        if (u.received.cardinality() == u.chunks) {
            // announced again: the unit has not had our confirmation
            confirm(u);
        }
    }

    private void uploadChunk(byte[] payload) throws IOException, MqttException {
        ChunkFrame f;
        try {
            f = ChunkFrame.decode(payload);
        } catch (ChunkFrame.MalformedChunkException e) {
            System.err.println("cloud file peer: bad upload chunk: " + e.getMessage());
            return;
        }
        Upload u = uploads.get(f.transferId());
        if (u == null || f.offset() % u.chunkSize != 0 || f.offset() / u.chunkSize >= u.chunks) {
            return;
        }
        int index = (int) (f.offset() / u.chunkSize);
        u.receivedCount[index].incrementAndGet();
        try (RandomAccessFile out = new RandomAccessFile(u.file.toFile(), "rw")) {
            out.seek(f.offset());
            out.write(f.data());
        }
        u.received.set(index);
        if (u.received.cardinality() == u.chunks && !u.confirmed) {
            confirm(u);
        }
    }

    private void confirm(Upload u) throws IOException, MqttException {
        String actual = HexFormat.of().formatHex(sha256(u.file));
        u.hashSeen = actual;
        JsonObject args = new JsonObject();
        args.addProperty("transferId", u.id);
        if (actual.equals(u.sha256) && Files.size(u.file) == u.size) {
            args.addProperty("ok", true);
            u.confirmed = true;
        } else {
            args.addProperty("ok", false);
            args.addProperty("reason", "sha256 mismatch: got " + actual);
        }
        command("file.received", args);
    }

    private static JsonObject json(byte[] payload) {
        return JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** SHA-256 of a file, streamed. */
    public static byte[] sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }

    @Override
    public void close() throws MqttException {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            client.disconnect().waitForCompletion(5_000);
        } catch (MqttException e) {
            // already gone
        }
        client.close();
    }
}
