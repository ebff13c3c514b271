package com.oviron.callidus.cloud;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Live readings on {@link Topics#live()}, QoS 0, of two kinds: a {@link #SNAPSHOT} (the newest value of every
 * channel) while a backlog is being replayed — the ordered telemetry stream is busy with the past, and this
 * keeps the cloud's live view current — and a {@link #STREAM} of up to every sample of the channels a live
 * session (command live.start) selected. Not stored,
 * not sequenced (the readings also arrive in the telemetry stream, in order, with their sequence numbers).
 *
 * @param deviceId the unit
 * @param atMillis when the snapshot was taken
 * @param readings the newest reading of each channel
 */
public record LiveSnapshot(String deviceId, long atMillis, List<Reading> readings, String kind) {
    /** The newest value of each channel, sent while a backlog is replayed. */
    public static final String SNAPSHOT = "snapshot";
    /** Readings of a live session (command live.start): up to every sample of the selected channels. */
    public static final String STREAM = "stream";

    /** A {@link #SNAPSHOT}. */
    public LiveSnapshot(String deviceId, long atMillis, List<Reading> readings) {
        this(deviceId, atMillis, readings, SNAPSHOT);
    }

    /**
     * @param channelId       the channel
     * @param timestampMillis when it was sampled
     * @param value           NaN when there is none
     * @param qualityCode     as in telemetry
     */
    public record Reading(String channelId, long timestampMillis, double value, int qualityCode) {
        public Reading {
            Objects.requireNonNull(channelId, "channelId");
        }
    }

    public LiveSnapshot {
        Objects.requireNonNull(deviceId, "deviceId");
        if (!SNAPSHOT.equals(kind) && !STREAM.equals(kind)) {
            throw new IllegalArgumentException("kind must be " + SNAPSHOT + " or " + STREAM + ", got " + kind);
        }
        readings = List.copyOf(readings);
    }

    public byte[] encode() {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("device", deviceId);
        o.addProperty("at", atMillis);
        o.addProperty("kind", kind);
        JsonArray array = new JsonArray();
        for (Reading r : readings) {
            JsonObject j = new JsonObject();
            j.addProperty("c", r.channelId());
            j.addProperty("t", r.timestampMillis());
            if (Double.isFinite(r.value())) {
                j.addProperty("v", r.value());
            } else {
                j.add("v", com.google.gson.JsonNull.INSTANCE);
            }
            j.addProperty("q", r.qualityCode());
            array.add(j);
        }
        o.add("readings", array);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static LiveSnapshot decode(byte[] payload) throws MalformedMessageException {
        try {
            JsonObject o = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject();
            if (o.get("v").getAsInt() != 1) {
                throw new MalformedMessageException("unsupported live snapshot v=" + o.get("v"));
            }
            List<Reading> readings = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("readings")) {
                JsonObject r = e.getAsJsonObject();
                JsonElement v = r.get("v");
                readings.add(new Reading(r.get("c").getAsString(), r.get("t").getAsLong(),
                        v == null || v.isJsonNull() ? Double.NaN : v.getAsDouble(), r.get("q").getAsInt()));
            }
            return new LiveSnapshot(o.get("device").getAsString(), o.get("at").getAsLong(), readings,
                    o.has("kind") ? o.get("kind").getAsString() : SNAPSHOT);
        } catch (RuntimeException e) {
            throw new MalformedMessageException("live snapshot is malformed: " + e, e);
        }
    }
}
