package com.oviron.callidus.cloud;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The retained message on {@link Topics#health()}: the unit's buffer and hardware figures, refreshed on every
 * connect and periodically. Tells the cloud how much is still to come, how much retention dropped, and how
 * full the store's disk is.
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
 * @param disk             the store's disk (absent in messages of older agents)
 */
public record HealthMessage(String deviceId, long atMillis, long lastSeq, long acknowledgedSeq, long droppedReadings,
                            long storeBytes, long samples, long halErrors, boolean treatment, LinkStats link,
                            Optional<Disk> disk) {
    /**
     * The disk of the unit's store ({@code store.disk} in the message).
     *
     * @param freeBytes    bytes free on the store's file system
     * @param totalBytes   size of that file system
     * @param reserveBytes size of the reserve file the store keeps to get through a full disk
     * @param reserveHeld  whether the reserve is in place (false while it is released)
     * @param limitBytes   how many bytes the stored readings may take now (the configured size, or less when the
     *                     disk holds less)
     * @param full         the store met a full disk: the alarm {@code store.full} stands
     */
    public record Disk(long freeBytes, long totalBytes, long reserveBytes, boolean reserveHeld, long limitBytes,
                       boolean full) {
    }

    public HealthMessage {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(disk, "disk");
    }

    /** Without link and disk figures (an older agent's message). */
    public HealthMessage(String deviceId, long atMillis, long lastSeq, long acknowledgedSeq, long droppedReadings,
                         long storeBytes, long samples, long halErrors, boolean treatment) {
        this(deviceId, atMillis, lastSeq, acknowledgedSeq, droppedReadings, storeBytes, samples, halErrors, treatment,
                LinkStats.NONE, Optional.empty());
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
        disk.ifPresent(d -> {
            JsonObject j = new JsonObject();
            j.addProperty("freeBytes", d.freeBytes());
            j.addProperty("totalBytes", d.totalBytes());
            j.addProperty("reserveBytes", d.reserveBytes());
            j.addProperty("reserveHeld", d.reserveHeld());
            j.addProperty("limitBytes", d.limitBytes());
            j.addProperty("full", d.full());
            store.add("disk", j);
        });
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
        l.addProperty("connectAttempts", link.connectAttempts());
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
                        l.get("liveDropped").getAsLong(),
                        // absent from units before the field came: not known, reported as 0
                        l.has("connectAttempts") ? l.get("connectAttempts").getAsLong() : 0);
            }
            Optional<Disk> disk = Optional.empty();
            if (store.has("disk")) {
                JsonObject d = store.getAsJsonObject("disk");
                disk = Optional.of(new Disk(d.get("freeBytes").getAsLong(), d.get("totalBytes").getAsLong(),
                        d.get("reserveBytes").getAsLong(), d.get("reserveHeld").getAsBoolean(),
                        d.get("limitBytes").getAsLong(), d.get("full").getAsBoolean()));
            }
            return new HealthMessage(o.get("device").getAsString(), o.get("at").getAsLong(),
                    store.get("lastSeq").getAsLong(), store.get("acknowledgedSeq").getAsLong(),
                    store.get("droppedReadings").getAsLong(), store.get("bytes").getAsLong(),
                    hal.get("samples").getAsLong(), hal.get("errors").getAsLong(),
                    hal.get("treatmentInProgress").getAsBoolean(), link, disk);
        } catch (RuntimeException e) {
            throw new MalformedMessageException("health message is malformed: " + e, e);
        }
    }
}
