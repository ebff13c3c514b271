package com.oviron.callidus.cloud.files;

import com.google.gson.JsonObject;
import com.oviron.callidus.cloud.MqttConnection;
import com.oviron.callidus.store.transfers.StoredTransfer;
import com.oviron.callidus.store.transfers.TransferDirection;
import com.oviron.callidus.store.transfers.TransferState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.tinylog.Logger;

/**
 * Publishes the progress of transfers on {@link FileTopics#progress()}: at the start, at every 10 %, at least
 * every {@code interval} while bytes move, and at the end. Lost reports are not repeated: the next one, or
 * {@code file.list}, tells the same. Runs on the transfer thread.
 */
final class ProgressReporter {
    private record Last(int decile, long atMillis, long bytes, String state) {
    }

    private final MqttConnection link;
    private final FileTopics topics;
    private final Clock clock;
    private final Duration interval;
    private final Map<String, Last> last = new HashMap<>();

    ProgressReporter(MqttConnection link, FileTopics topics, Clock clock, Duration interval) {
        this.link = link;
        this.topics = topics;
        this.clock = clock;
        this.interval = interval;
    }

    /** Reports if due, or always with {@code force} (start, end, state changes). */
    void report(StoredTransfer t, boolean force) {
        long now = clock.millis();
        String state = wireState(t);
        int decile = (int) (t.bytesDone() * 10 / t.size());
        Last before = last.get(t.id());
        boolean due = force || before == null || !before.state().equals(state) || decile > before.decile()
                || (t.bytesDone() != before.bytes() && now - before.atMillis() >= interval.toMillis());
        if (!due) {
            return;
        }
        if (t.state().isFinal()) {
            last.remove(t.id());
        } else {
            last.put(t.id(), new Last(decile, now, t.bytesDone(), state));
        }
        JsonObject json = describe(t);
        json.addProperty("at", now);
        link.publish(topics.progress(), json.toString().getBytes(StandardCharsets.UTF_8), 1, false)
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        Logger.debug("file progress not published transfer={} error={}", t.id(), e.getMessage());
                    }
                });
    }

    /** A transfer as {@code file.list} and progress reports show it. */
    static JsonObject describe(StoredTransfer t) {
        JsonObject json = new JsonObject();
        json.addProperty("v", 1);
        json.addProperty("transferId", t.id());
        json.addProperty("direction", t.direction().wire());
        json.addProperty("kind", t.kind());
        json.addProperty("name", t.name());
        json.addProperty("state", wireState(t));
        json.addProperty("bytesDone", t.bytesDone());
        json.addProperty("size", t.size());
        json.addProperty("chunksDone", t.chunksDone());
        json.addProperty("chunks", t.chunkCount());
        json.addProperty("chunkSize", t.chunkSize());
        json.addProperty("sha256", HexFormat.of().formatHex(t.sha256()));
        json.addProperty("deadline", t.deadlineMillis());
        if (!t.reason().isEmpty()) {
            json.addProperty("reason", t.reason());
        }
        return json;
    }

    /** {@code sent} for an upload whose chunks are all acknowledged and that waits for {@code file.received}. */
    static String wireState(StoredTransfer t) {
        if (t.state() == TransferState.ACTIVE && t.direction() == TransferDirection.UPLOAD && t.allChunksDone()) {
            return "sent";
        }
        return t.state().wire();
    }
}
