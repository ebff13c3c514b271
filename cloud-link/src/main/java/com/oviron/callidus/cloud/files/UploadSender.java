package com.oviron.callidus.cloud.files;

import com.oviron.callidus.cloud.PublishRateLimiter;
import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.transfers.StoredTransfer;
import com.oviron.callidus.store.transfers.TransferDirection;
import com.oviron.callidus.store.transfers.TransferState;
import com.oviron.callidus.store.transfers.TransferStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The unit's side of uploads (unit to cloud): announces each upload on {@link FileTopics#offer()}, then
 * publishes its chunks (QoS 1, at most {@code window} unacknowledged, at most {@code chunksPerSecond}); a chunk
 * counts as sent when the broker acknowledges it, and that is stored, so a reconnect or a reboot sends only
 * the chunks not yet acknowledged. The upload ends when the cloud confirms with {@code file.received}; chunks
 * the cloud says it misses are sent again. Everything runs on the transfer thread.
 */
final class UploadSender {
    private static final HexFormat HEX = HexFormat.of();

    private final class Active {
        StoredTransfer transfer;
        final UploadSource source;
        final Set<Integer> inflight = new HashSet<>();
        boolean offerAcknowledged;
        boolean offerPublished;
        long lastActivityMillis;
        long chunksPublished;

        Active(StoredTransfer transfer, UploadSource source) {
            this.transfer = transfer;
            this.source = source;
            this.lastActivityMillis = clock.millis();
        }
    }

    private final MqttConnection link;
    private final FileTopics topics;
    private final TransferStore store;
    private final FileTransferSettings settings;
    private final ProgressReporter progress;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final PublishRateLimiter rate;
    private final Map<String, Active> active = new LinkedHashMap<>();
    private boolean pumpScheduled;
    private int generation;
    private long published;

    UploadSender(MqttConnection link, FileTopics topics, TransferStore store, FileTransferSettings settings,
                 ProgressReporter progress, ScheduledExecutorService executor, Clock clock) {
        this.link = link;
        this.topics = topics;
        this.store = store;
        this.settings = settings;
        this.progress = progress;
        this.executor = executor;
        this.clock = clock;
        this.rate = new PublishRateLimiter(settings.chunksPerSecond(), System::nanoTime);
    }

    void restore(List<StoredTransfer> stored, UploadSources sources) {
        for (StoredTransfer t : stored) {
            if (t.direction() != TransferDirection.UPLOAD) {
                continue;
            }
            Optional<UploadSource> source = FileKind.fromWire(t.kind()).flatMap(k -> sources.reopen(k, t.name()));
            if (source.isEmpty()) {
                finish(new Active(t, null), TransferState.FAILED, "the file to upload is gone after a restart");
            } else if (source.get().size() != t.size() || !Arrays.equals(source.get().sha256(), t.sha256())) {
                finish(new Active(t, null), TransferState.FAILED, "the file to upload changed during a restart");
            } else {
                active.put(t.id(), new Active(t, source.get()));
                Logger.info("upload resumed after restart transfer={} kind={} chunksAcknowledged={} chunks={}",
                        t.id(), t.kind(), t.chunksDone(), t.chunkCount());
            }
        }
    }

    String send(FileKind kind, String name, UploadSource source) throws FileTransferException {
        Optional<String> problem = SafeFileName.problem(name);
        if (problem.isPresent()) {
            throw new FileTransferException("upload name " + problem.get());
        }
        long size = source.size();
        byte[] sha = source.sha256();
        if (size < 1 || size > settings.maxUploadBytes()) {
            throw new FileTransferException("upload size must be 1.." + settings.maxUploadBytes() + " bytes, got "
                    + size);
        }
        if (sha == null || sha.length != 32) {
            throw new FileTransferException("upload source's sha256 must be 32 bytes");
        }
        if (active.size() >= settings.maxConcurrent() + settings.maxQueuedUploads()) {
            throw new FileTransferException(active.size() + " uploads are running or waiting (at most "
                    + (settings.maxConcurrent() + settings.maxQueuedUploads()) + ")");
        }
        long now = clock.millis();
        String id = "u-" + UUID.randomUUID();
        StoredTransfer t = new StoredTransfer(id, TransferDirection.UPLOAD, kind.wire(), name, size, sha,
                settings.defaultChunkSize(), now + settings.uploadDeadline().toMillis(), TransferState.ACTIVE, "",
                new BitSet(), now, now);
        try {
            store.create(t);
        } catch (StoreException e) {
            throw new FileTransferException("the unit's transfer store is unavailable: " + e.getMessage(), e);
        }
        Active a = new Active(t, source);
        active.put(id, a);
        Logger.info("upload queued transfer={} kind={} name={} size={} chunks={}", id, kind.wire(), name, size,
                t.chunkCount());
        progress.report(t, true);
        offerIfSending();
        return id;
    }

    /** The link came up: announce every upload again (the cloud answers a repeat idempotently), then send. */
    void connected() {
        // also forgets what went out before this news arrived: its answers are ignored, so announce again
        disconnected();
        offerIfSending();
    }

    /** The link went down: unacknowledged chunks are sent again after the next connect. */
    void disconnected() {
        generation++;
        for (Active a : active.values()) {
            a.inflight.clear();
            a.offerAcknowledged = false;
            a.offerPublished = false;
        }
    }

    /** {@code file.received}: the cloud has it whole (empty {@code missing}), or misses some chunks. */
    Optional<JsonObject> received(String id, boolean ok, List<Integer> missing, String reason) {
        Active a = active.get(id);
        if (a == null) {
            return Optional.empty();
        }
        if (ok) {
            finish(a, TransferState.DONE, "");
        } else if (!missing.isEmpty()) {
            try {
                store.markMissing(id, missing);
            } catch (StoreException e) {
                Logger.error("missing chunks not stored transfer={} error={}", id, e.getMessage());
            }
            BitSet done = a.transfer.done();
            missing.forEach(done::clear);
            a.transfer = a.transfer.withDone(done, clock.millis());
            a.lastActivityMillis = clock.millis();
            Logger.info("upload chunks missing at the cloud, sending again transfer={} missing={}", id,
                    missing.size());
            progress.report(a.transfer, true);
            pump();
        } else {
            finish(a, TransferState.FAILED, "the cloud refused the file: " + reason);
        }
        return Optional.of(ProgressReporter.describe(a.transfer));
    }

    Optional<JsonObject> cancel(String id, String reason) {
        Active a = active.get(id);
        if (a == null) {
            return Optional.empty();
        }
        finish(a, TransferState.CANCELLED, reason);
        return Optional.of(ProgressReporter.describe(a.transfer));
    }

    /** Once a second: deadlines, and announcing again an upload the cloud has not confirmed. */
    void tick() {
        long now = clock.millis();
        for (Active a : List.copyOf(active.values())) {
            if (now > a.transfer.deadlineMillis()) {
                finish(a, TransferState.FAILED, "deadline passed with " + a.transfer.chunksDone() + " of "
                        + a.transfer.chunkCount() + " chunks acknowledged");
            } else if (a.transfer.allChunksDone() && a.offerAcknowledged
                    && now - a.lastActivityMillis >= settings.requestTimeout().toMillis()) {
                Logger.info("upload not confirmed yet, announcing it again transfer={}", a.transfer.id());
                a.lastActivityMillis = now;
                offer(a);
            }
        }
    }

    long chunksPublished() {
        return published;
    }

    int running() {
        return active.size();
    }

    /** The first {@code maxConcurrent} uploads move; the rest wait their turn. */
    private List<Active> sending() {
        List<Active> out = new ArrayList<>();
        for (Active a : active.values()) {
            if (out.size() == settings.maxConcurrent()) {
                break;
            }
            out.add(a);
        }
        return out;
    }

    private void offerIfSending() {
        if (!link.isConnected()) {
            return;
        }
        for (Active a : sending()) {
            if (!a.offerPublished) {
                offer(a);
            }
        }
    }

    private void offer(Active a) {
        StoredTransfer t = a.transfer;
        JsonObject json = new JsonObject();
        json.addProperty("v", 1);
        json.addProperty("transferId", t.id());
        json.addProperty("kind", t.kind());
        json.addProperty("name", t.name());
        json.addProperty("size", t.size());
        json.addProperty("sha256", HEX.formatHex(t.sha256()));
        json.addProperty("chunkSize", t.chunkSize());
        json.addProperty("chunks", t.chunkCount());
        json.addProperty("deadline", t.deadlineMillis());
        json.addProperty("chunksSent", t.chunksDone());
        int gen = generation;
        a.offerPublished = true;
        link.publish(topics.offer(), json.toString().getBytes(StandardCharsets.UTF_8), 1, false)
                .whenComplete((ok, e) -> executor.execute(() -> {
                    if (gen != generation || active.get(t.id()) != a) {
                        return;
                    }
                    if (e != null) {
                        a.offerPublished = false; // announced again on the next connect
                    } else {
                        a.offerAcknowledged = true;
                        a.lastActivityMillis = clock.millis();
                        pump();
                    }
                }));
    }

    /** Publishes chunks while the window, the rate and the link allow. */
    void pump() {
        if (!link.isConnected()) {
            return;
        }
        while (true) {
            int inflight = active.values().stream().mapToInt(a -> a.inflight.size()).sum();
            if (inflight >= settings.window()) {
                return;
            }
            Optional<Active> next = sending().stream()
                    .filter(a -> a.offerAcknowledged && nextChunk(a) >= 0)
                    .min((x, y) -> Integer.compare(x.inflight.size(), y.inflight.size()));
            if (next.isEmpty()) {
                return;
            }
            long wait = rate.tryAcquire();
            if (wait > 0) {
                if (!pumpScheduled) {
                    pumpScheduled = true;
                    executor.schedule(() -> {
                        pumpScheduled = false;
                        pump();
                    }, wait, TimeUnit.NANOSECONDS);
                }
                return;
            }
            Active a = next.get();
            if (!publishChunk(a, nextChunk(a))) {
                return;
            }
        }
    }

    private int nextChunk(Active a) {
        BitSet done = a.transfer.done();
        for (int i = done.nextClearBit(0); i < a.transfer.chunkCount(); i = done.nextClearBit(i + 1)) {
            if (!a.inflight.contains(i)) {
                return i;
            }
        }
        return -1;
    }

    private boolean publishChunk(Active a, int index) {
        StoredTransfer t = a.transfer;
        long offset = (long) index * t.chunkSize();
        int length = t.chunkLength(index);
        byte[] data;
        try (InputStream in = a.source.openAt(offset)) {
            data = in.readNBytes(length);
        } catch (IOException e) {
            finish(a, TransferState.FAILED, "cannot read the file to upload: " + e.getMessage());
            return true;
        }
        if (data.length != length) {
            finish(a, TransferState.FAILED, "the file to upload is shorter than declared (" + (offset + data.length)
                    + " of " + t.size() + " bytes)");
            return true;
        }
        byte[] frame = ChunkFrame.encode(t.id(), offset, data, 0, length);
        a.inflight.add(index);
        a.chunksPublished++;
        published++;
        int gen = generation;
        link.publish(topics.upload(), frame, 1, false)
                .whenComplete((ok, e) -> executor.execute(() -> acknowledged(a, index, gen, e)));
        return true;
    }

    private void acknowledged(Active a, int index, int gen, Throwable error) {
        if (active.get(a.transfer.id()) != a) {
            return;
        }
        if (gen == generation) {
            a.inflight.remove(index);
        }
        if (error != null) {
            Logger.debug("upload chunk not acknowledged transfer={} chunk={} error={}", a.transfer.id(), index,
                    error.getMessage());
            return;
        }
        if (!a.transfer.isDone(index)) {
            try {
                store.markDone(a.transfer.id(), index);
            } catch (StoreException e) {
                finish(a, TransferState.FAILED, "the unit's transfer store failed: " + e.getMessage());
                return;
            }
            BitSet done = a.transfer.done();
            done.set(index);
            a.transfer = a.transfer.withDone(done, clock.millis());
            a.lastActivityMillis = clock.millis();
            if (a.transfer.allChunksDone()) {
                Logger.info("upload sent, waiting for the cloud's confirmation transfer={} published={} chunks={}",
                        a.transfer.id(), a.chunksPublished, a.transfer.chunkCount());
            }
            progress.report(a.transfer, a.transfer.allChunksDone());
        }
        pump();
    }

    /** Told each upload that ended (done, failed or cancelled), on the transfer thread. */
    void onFinished(java.util.function.Consumer<StoredTransfer> listener) {
        this.finished = listener;
    }

    private volatile java.util.function.Consumer<StoredTransfer> finished = t -> { };

    private void finish(Active a, TransferState state, String reason) {
        StoredTransfer t = a.transfer;
        active.remove(t.id());
        try {
            store.finish(t.id(), state, reason, clock.millis());
        } catch (StoreException e) {
            Logger.error("upload end not stored transfer={} error={}", t.id(), e.getMessage());
        }
        a.transfer = t.withState(state, reason, clock.millis());
        try {
            finished.accept(a.transfer);
        } catch (RuntimeException e) {
            Logger.error(e, "upload end listener failed transfer={}", t.id());
        }
        if (state == TransferState.DONE) {
            Logger.info("upload done transfer={} kind={} name={} size={} published={} chunks={}", t.id(), t.kind(),
                    t.name(), t.size(), a.chunksPublished, t.chunkCount());
        } else {
            Logger.warn("upload ended transfer={} kind={} state={} reason={}", t.id(), t.kind(), state.wire(), reason);
        }
        progress.report(a.transfer, true);
        offerIfSending();
        pump();
    }
}
