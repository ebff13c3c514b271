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
 * The retained message on {@link Topics#channels()} that tells the cloud what the channel ids in telemetry
 * mean (name and unit). Published on every connect, so it is always current after a software update.
 *
 * @param deviceId the unit
 * @param channels every channel the unit samples, in its order
 * @param unitKey  the unit's own Ed25519 public key (it signs self-test results), when it has one
 */
public record ChannelCatalog(String deviceId, List<Channel> channels, java.util.Optional<UnitKey> unitKey) {

    /**
     * @param kid       the key's id (first 16 hex digits of the SHA-256 of the raw key)
     * @param publicKey the raw 32-byte Ed25519 public key in unpadded base64url
     */
    public record UnitKey(String kid, String publicKey) {
        public UnitKey {
            Objects.requireNonNull(kid, "kid");
            Objects.requireNonNull(publicKey, "publicKey");
        }
    }

    /** A catalog without a unit key. */
    public ChannelCatalog(String deviceId, List<Channel> channels) {
        this(deviceId, channels, java.util.Optional.empty());
    }

    /**
     * @param id   the id used in telemetry ({@code c})
     * @param name human-readable name
     * @param unit unit of the values
     */
    public record Channel(String id, String name, String unit) {
        public Channel {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(unit, "unit");
        }
    }

    public ChannelCatalog {
        Objects.requireNonNull(deviceId, "deviceId");
        channels = List.copyOf(channels);
        Objects.requireNonNull(unitKey, "unitKey");
    }

    public byte[] encode() {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("device", deviceId);
        JsonArray array = new JsonArray();
        for (Channel c : channels) {
            JsonObject j = new JsonObject();
            j.addProperty("id", c.id());
            j.addProperty("name", c.name());
            j.addProperty("unit", c.unit());
            array.add(j);
        }
        o.add("channels", array);
        unitKey.ifPresent(k -> {
            JsonObject key = new JsonObject();
            key.addProperty("alg", "Ed25519");
            key.addProperty("kid", k.kid());
            key.addProperty("publicKey", k.publicKey());
            o.add("unitKey", key);
        });
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static ChannelCatalog decode(byte[] payload) throws MalformedMessageException {
        try {
            JsonObject o = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject();
            if (o.get("v").getAsInt() != 1) {
                throw new MalformedMessageException("unsupported channel catalog v=" + o.get("v"));
            }
            List<Channel> channels = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("channels")) {
                JsonObject c = e.getAsJsonObject();
                channels.add(new Channel(c.get("id").getAsString(), c.get("name").getAsString(),
                        c.get("unit").getAsString()));
            }
            java.util.Optional<UnitKey> key = java.util.Optional.empty();
            if (o.has("unitKey") && o.get("unitKey").isJsonObject()) {
                JsonObject k = o.getAsJsonObject("unitKey");
                key = java.util.Optional.of(new UnitKey(k.get("kid").getAsString(), k.get("publicKey").getAsString()));
            }
            return new ChannelCatalog(o.get("device").getAsString(), channels, key);
        } catch (RuntimeException e) {
            throw new MalformedMessageException("channel catalog is malformed: " + e, e);
        }
    }
}
