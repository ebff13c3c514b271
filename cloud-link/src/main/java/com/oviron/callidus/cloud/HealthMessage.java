package com.oviron.callidus.cloud;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The retained message on {@link Topics#health()}: the unit's buffer and hardware figures, refreshed on every
 * connect and periodically. Tells the cloud how much is still to come and how much retention dropped.
 *
 * @param deviceId         the unit
 * @param atMillis         when the figures were taken
 * @param lastSeq          sequence number of the last accepted reading
 * @param acknowledgedSeq  up to which sequence number the broker has acknowledged
 * @param droppedReadings  readings retention removed before they were sent, since the store was created
 * @param storeBytes       bytes the store's live data takes
 * @param samples          sample cycles since the agent started
 * @param halErrors        sample cycles that failed since the agent started
 * @param treatment        whether a treatment is in progress (GPIO)
 * @param link             what the link refused or repaired since the agent started
 */
public record HealthMessage(String deviceId, long atMillis, long lastSeq, long acknowledgedSeq, long droppedReadings,
                            long storeBytes, long samples, long halErrors, boolean treatment, LinkStats link) {
    public HealthMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(link, "link");
    }

    /** Without link figures (an older agent's message). */
    public HealthMessage(String deviceId, long atMillis, long lastSeq, long acknowledgedSeq, long droppedReadings,
                         long storeBytes, long samples, long halErrors, boolean treatment) {
        this(deviceId, atMillis, lastSeq, acknowledgedSeq, droppedReadings, storeBytes, samples, halErrors, treatment,
                LinkStats.NONE);
    }

    public byte[] encode() {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("device", deviceId);
        o.addProperty("at", atMillis);
        JsonObject store = new JsonObject();
        store.addProperty("lastSeq", lastSeq);
        store.addProperty("acknowledgedSeq", acknowledgedSeq);
        store.addProperty("droppedReadings", droppedReadings);
        store.addProperty("bytes", storeBytes);
        o.add("store", store);
        JsonObject hal = new JsonObject();
        hal.addProperty("samples", samples);
        hal.addProperty("errors", halErrors);
        hal.addProperty("treatmentInProgress", treatment);
        o.add("hal", hal);
        JsonObject l = new JsonObject();
        l.addProperty("oversizedDropped", link.oversizedDropped());
        l.addProperty("silentBrokerCloses", link.silentBrokerCloses());
        l.addProperty("connectsAbandoned", link.connectsAbandoned());
        l.addProperty("repliesDropped", link.repliesDropped());
        l.addProperty("liveDropped", link.liveDropped());
        o.add("link", l);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static HealthMessage decode(byte[] payload) throws MalformedMessageException {
        try {
            JsonElement e = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8));
            JsonObject o = e.getAsJsonObject();
            JsonObject store = o.getAsJsonObject("store");
            JsonObject hal = o.getAsJsonObject("hal");
            LinkStats link = LinkStats.NONE;
            if (o.has("link")) {
                JsonObject l = o.getAsJsonObject("link");
                link = new LinkStats(l.get("oversizedDropped").getAsLong(), l.get("silentBrokerCloses").getAsLong(),
                        l.get("connectsAbandoned").getAsLong(), l.get("repliesDropped").getAsLong(),
                        l.get("liveDropped").getAsLong());
            }
            return new HealthMessage(o.get("device").getAsString(), o.get("at").getAsLong(),
                    store.get("lastSeq").getAsLong(), store.get("acknowledgedSeq").getAsLong(),
                    store.get("droppedReadings").getAsLong(), store.get("bytes").getAsLong(),
                    hal.get("samples").getAsLong(), hal.get("errors").getAsLong(),
                    hal.get("treatmentInProgress").getAsBoolean(), link);
        } catch (RuntimeException e) {
            throw new MalformedMessageException("health message is malformed: " + e, e);
        }
    }
}
