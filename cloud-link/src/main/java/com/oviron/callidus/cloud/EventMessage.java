package com.oviron.callidus.cloud;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.store.StoredEvent;
import java.nio.charset.StandardCharsets;

/** The JSON of one alarm or audit event on {@link Topics#events()} (docs/protocol.md). */
public final class EventMessage {
    private EventMessage() {
    }

    public static byte[] encode(String deviceId, StoredEvent event) {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("device", deviceId);
        o.addProperty("seq", event.seq());
        o.addProperty("at", event.atMillis());
        o.addProperty("kind", event.kind());
        o.addProperty("severity", event.severity());
        o.addProperty("message", event.message());
        event.detail().ifPresent(d -> {
            try {
                o.add("detail", JsonParser.parseString(d).getAsJsonObject());
            } catch (RuntimeException e) {
                // stored detail is always an object the agent wrote; a damaged one is left out, the event still goes
            }
        });
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static StoredEvent decode(byte[] payload) throws MalformedMessageException {
        try {
            JsonObject o = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject();
            java.util.Optional<String> detail = o.has("detail") && o.get("detail").isJsonObject()
                    ? java.util.Optional.of(o.get("detail").toString()) : java.util.Optional.empty();
            return new StoredEvent(o.get("seq").getAsLong(), o.get("at").getAsLong(), o.get("kind").getAsString(),
                    o.get("severity").getAsString(), o.get("message").getAsString(), detail);
        } catch (RuntimeException e) {
            throw new MalformedMessageException("event message is malformed: " + e, e);
        }
    }
}
