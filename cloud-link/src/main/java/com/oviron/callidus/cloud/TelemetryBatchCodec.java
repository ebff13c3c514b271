package com.oviron.callidus.cloud;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import com.oviron.callidus.store.TelemetryRecord;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The telemetry batch formats of docs/protocol.md. The agent sends format 2 (binary, columnar, delta-encoded,
 * zlib-compressed, with a SHA-256 of the content); format 1 (JSON) is still decoded, for units running an
 * older agent, and can be written for tools and debugging. Decoding gives a clear error per bad field.
 */
public final class TelemetryBatchCodec {
    /** The JSON format's version (field {@code v}). */
    public static final int VERSION = 1;
    /** The binary format's version, the one the agent sends. */
    public static final int BINARY_VERSION = BinaryBatchFormat.VERSION;
    /** Largest payload accepted by the decoder (AWS IoT Core's limit). */
    public static final int MAX_PAYLOAD_BYTES = 128 * 1024;

    private TelemetryBatchCodec() {
    }

    /** Format 2, what the agent publishes. */
    public static byte[] encode(TelemetryBatch batch) {
        return BinaryBatchFormat.encode(batch);
    }

    /** Format 1 (JSON), for tools and debugging. */
    public static byte[] encodeJson(TelemetryBatch batch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + batch.readings().size() * 64);
        try (JsonWriter w = new JsonWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8))) {
            w.beginObject();
            w.name("v").value(VERSION);
            w.name("device").value(batch.deviceId());
            w.name("stream").value(batch.stream());
            w.name("first").value(batch.firstSeq());
            w.name("last").value(batch.lastSeq());
            w.name("sentAt").value(batch.sentAtMillis());
            w.name("readings").beginArray();
            for (TelemetryRecord r : batch.readings()) {
                w.beginObject();
                w.name("s").value(r.seq());
                w.name("c").value(r.channelId());
                w.name("t").value(r.timestampMillis());
                if (Double.isFinite(r.value())) {
                    w.name("v").value(r.value());
                } else {
                    w.name("v").nullValue();
                }
                w.name("q").value(r.qualityCode());
                w.endObject();
            }
            w.endArray();
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /** Decodes either format; the first bytes tell which. */
    public static TelemetryBatch decode(byte[] payload) throws MalformedMessageException {
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new MalformedMessageException("payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
        }
        if (BinaryBatchFormat.isBinary(payload)) {
            return BinaryBatchFormat.decode(payload);
        }
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new MalformedMessageException("payload is not a JSON object");
            }
            root = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new MalformedMessageException("payload is not JSON: " + e.getMessage(), e);
        }
        long version = longField(root, "v");
        if (version != VERSION) {
            throw new MalformedMessageException("unsupported telemetry format v=" + version + " (expected " + VERSION + ")");
        }
        String device = stringField(root, "device");
        String stream = stringField(root, "stream");
        long first = longField(root, "first");
        long last = longField(root, "last");
        long sentAt = longField(root, "sentAt");
        JsonElement readingsElement = root.get("readings");
        if (readingsElement == null || !readingsElement.isJsonArray()) {
            throw new MalformedMessageException("field 'readings' must be an array");
        }
        JsonArray array = readingsElement.getAsJsonArray();
        List<TelemetryRecord> readings = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isJsonObject()) {
                throw new MalformedMessageException("readings[" + i + "] is not an object");
            }
            JsonObject r = array.get(i).getAsJsonObject();
            String where = "readings[" + i + "].";
            JsonElement v = r.get("v");
            double value;
            if (v == null || v.isJsonNull()) {
                value = Double.NaN;
            } else if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
                value = v.getAsDouble();
            } else {
                throw new MalformedMessageException("field '" + where + "v' must be a number or null");
            }
            try {
                readings.add(new TelemetryRecord(longField(r, where, "s"), stringField(r, where, "c"),
                        longField(r, where, "t"), value, (int) longField(r, where, "q")));
            } catch (IllegalArgumentException e) {
                throw new MalformedMessageException(where + ": " + e.getMessage(), e);
            }
        }
        try {
            return new TelemetryBatch(device, stream, first, last, sentAt, readings);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(e.getMessage(), e);
        }
    }

    private static long longField(JsonObject o, String name) throws MalformedMessageException {
        return longField(o, "", name);
    }

    private static long longField(JsonObject o, String where, String name) throws MalformedMessageException {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new MalformedMessageException("field '" + where + name + "' must be an integer");
        }
        try {
            return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
        } catch (ArithmeticException ex) {
            throw new MalformedMessageException("field '" + where + name + "' must be an integer, got " + e, ex);
        }
    }

    private static String stringField(JsonObject o, String name) throws MalformedMessageException {
        return stringField(o, "", name);
    }

    private static String stringField(JsonObject o, String where, String name) throws MalformedMessageException {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new MalformedMessageException("field '" + where + name + "' must be a string");
        }
        return e.getAsString();
    }
}
