package com.oviron.callidus.agent.access;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.subscription.PinnedKeys;
import java.security.PublicKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service record's format (docs/protocol.md, "Service record"): a compact JWS signed with the unit's own
 * Ed25519 key, header {@code {"alg":"EdDSA","kid":<unit key id>,"typ":"callidus-service-record"}}, whose payload
 * is the record document. Anyone with the unit's public key verifies it ({@link #verify}, {@code tools vendor
 * record verify}, or openssl over {@code header.payload}). {@link #lines} renders it for people.
 */
public final class ServiceRecord {
    public static final String TYP = "callidus-service-record";
    public static final String KIND = "callidus.service-record";
    /** Longest record read back. */
    public static final int MAX_CHARS = 512 * 1024;
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private ServiceRecord() {
    }

    /** Signs a record document with the unit's key. */
    public static String sign(JsonObject document, RecordSigner key) {
        return AccessJws.sign(document, TYP, key.keyId(), key::sign);
    }

    /**
     * Checks a signed record with the unit's public key alone.
     *
     * @return the record document
     * @throws IllegalArgumentException saying what is wrong
     */
    public static JsonObject verify(String jws, PublicKey unitKey) {
        String kid = RecordSigner.keyId(unitKey);
        JsonObject doc;
        try {
            doc = AccessJws.verify(jws, MAX_CHARS, TYP, PinnedKeys.of(Map.of(kid, unitKey))).payload();
        } catch (AccessTokenRejectedException e) {
            throw new IllegalArgumentException(e.reason() == AccessTokenRejectedException.Reason.UNKNOWN_KEY
                    ? "signed by another unit key than the one given (" + kid + ")" : e.reason().wire() + ": "
                    + e.getMessage(), e);
        }
        if (!doc.has("v") || !doc.get("v").isJsonPrimitive() || doc.get("v").getAsInt() != 1
                || !KIND.equals(text(doc, "kind"))) {
            throw new IllegalArgumentException("the payload is not a service record of format 1");
        }
        return doc;
    }

    /** The record for people, as the console prints it. */
    public static List<String> lines(JsonObject r) {
        List<String> out = new ArrayList<>();
        out.add("SERVICE RECORD " + text(r, "id"));
        out.add("unit         : " + text(r, "device") + " (agent " + text(r, "agentVersion") + ")");
        JsonObject t = r.getAsJsonObject("technician");
        String name = t.has("name") ? " (" + text(t, "name") + ")" : "";
        out.add("technician   : " + text(t, "id") + name + ", role " + text(t, "role") + ", "
                + ("token".equals(text(t, "method")) ? "technician token " + text(t, "tokenId") : "clinic PIN"));
        out.add("session      : " + text(r, "session") + " (" + text(r, "via") + "), " + minutes(r.get("started"))
                + " .. " + minutes(r.get("ended")) + " UTC");
        JsonArray actions = r.getAsJsonArray("actions");
        out.add("actions      : " + actions.size() + (r.has("actionsIncomplete") && r.get("actionsIncomplete")
                .getAsBoolean() ? " (the oldest of this session were removed from the unit's audit log)" : ""));
        for (JsonElement e : actions) {
            JsonObject a = e.getAsJsonObject();
            String args = a.has("args") && a.get("args").isJsonObject() && a.getAsJsonObject("args").size() > 0
                    ? "  " + a.get("args") : "";
            out.add("  " + TIME.format(Instant.ofEpochMilli(a.get("at").getAsLong())) + "  " + text(a, "action")
                    + args + "  -> " + text(a, "result"));
        }
        out.add("alarms before: " + joined(r.getAsJsonArray("alarmsBefore")));
        out.add("alarms after : " + joined(r.getAsJsonArray("alarmsAfter")));
        JsonElement st = r.get("selfTest");
        if (st == null || st.isJsonNull()) {
            out.add("self-test    : not run in this session");
        } else {
            JsonObject s = st.getAsJsonObject();
            out.add("self-test    : " + (s.get("passed").getAsBoolean() ? "passed" : "FAILED") + " at "
                    + minutes(s.get("at")) + " UTC: " + text(s, "summary"));
        }
        return out;
    }

    private static String joined(JsonArray a) {
        if (a == null || a.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        a.forEach(e -> parts.add(e.getAsString()));
        return String.join("; ", parts);
    }

    private static String minutes(JsonElement millis) {
        try {
            return MINUTES.format(Instant.ofEpochMilli(millis.getAsLong()));
        } catch (RuntimeException e) {
            return "?";
        }
    }

    static String text(JsonObject o, String name) {
        JsonElement e = o == null ? null : o.get(name);
        return e == null || e.isJsonNull() ? "-" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    /** The details an audit entry stored (JSON text), or an empty object. */
    static JsonObject details(String text) {
        try {
            JsonElement e = JsonParser.parseString(text);
            return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
        } catch (RuntimeException e) {
            JsonObject o = new JsonObject();
            o.addProperty("text", text);
            return o;
        }
    }
}
