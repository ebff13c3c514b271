package com.oviron.callidus.cloud;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The retained presence message on {@link Topics#status()}: "online" once connected, "offline" on a clean
 * shutdown and, as the last will, when the broker loses the unit.
 *
 * @param deviceId     the unit
 * @param online       true for "online"
 * @param agentVersion the agent's version
 * @param atMillis     when the state began (for the will: when the session that set it was opened)
 * @param reason       why: "connected", "shutdown" or "connection-lost"
 */
public record StatusMessage(String deviceId, boolean online, String agentVersion, long atMillis, String reason) {
    public StatusMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(agentVersion, "agentVersion");
        Objects.requireNonNull(reason, "reason");
    }

    public byte[] encode() {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("device", deviceId);
        o.addProperty("state", online ? "online" : "offline");
        o.addProperty("agentVersion", agentVersion);
        o.addProperty("at", atMillis);
        o.addProperty("reason", reason);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static StatusMessage decode(byte[] payload) throws MalformedMessageException {
        try {
            JsonElement e = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new MalformedMessageException("status payload is not a JSON object");
            }
            JsonObject o = e.getAsJsonObject();
            String state = o.get("state").getAsString();
            if (!state.equals("online") && !state.equals("offline")) {
                throw new MalformedMessageException("field 'state' must be online or offline, got " + state);
            }
            return new StatusMessage(o.get("device").getAsString(), state.equals("online"),
                    o.get("agentVersion").getAsString(), o.get("at").getAsLong(), o.get("reason").getAsString());
        } catch (JsonParseException | NullPointerException | IllegalStateException | UnsupportedOperationException
                 | NumberFormatException e) {
            throw new MalformedMessageException("status payload is malformed: " + e, e);
        }
    }
}
