package com.oviron.callidus.cloud.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.cloud.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * The cloud's side of the command protocol, for tests, the demo and the tools: sends a command to a unit and
 * waits for the reply with its id (docs/protocol.md, "Commands").
 */
public final class CloudCommander implements AutoCloseable {
    private static final AtomicLong NEXT = new AtomicLong();
    private final CloudSubscriber client;
    private final String deviceId;

    /** Connects as {@code clientId} and subscribes to the unit's replies (and the extra filters). */
    public CloudCommander(String brokerUri, String clientId, String deviceId, String... extraFilters)
            throws MqttException {
        String[] filters = new String[extraFilters.length + 2];
        filters[0] = new Topics(deviceId).replies();
        filters[1] = new Topics(deviceId).status();
        System.arraycopy(extraFilters, 0, filters, 2, extraFilters.length);
        this.client = new CloudSubscriber(brokerUri, clientId, filters);
        this.deviceId = deviceId;
    }

    /**
     * Waits until the unit has announced itself online {@code times} times since this commander connected
     * (live status messages, not the retained one from before): from an announcement on, the unit's
     * subscriptions are in place and commands reach it.
     */
    public void awaitOnline(int times, Duration timeout) {
        Await.until("unit " + deviceId + " online (" + times + ")", timeout, () -> onlineAnnouncements() >= times);
    }

    /** How many live (not retained) online announcements have arrived so far. */
    public int onlineAnnouncements() {
        int n = 0;
        for (CloudSubscriber.Received r : client.receivedOn(new Topics(deviceId).status())) {
            try {
                if (!r.retained() && com.oviron.callidus.cloud.StatusMessage.decode(r.payload()).online()) {
                    n++;
                }
            } catch (com.oviron.callidus.cloud.MalformedMessageException e) {
                throw new AssertionError("the unit's status message is malformed", e);
            }
        }
        return n;
    }

    /** A fresh correlation id. */
    public static String newId() {
        return "t-" + System.nanoTime() + "-" + NEXT.incrementAndGet();
    }

    /** The command as the cloud sends it, expiring {@code ttl} from now. */
    public static String command(String id, String name, JsonObject args, Duration ttl) {
        JsonObject o = new JsonObject();
        o.addProperty("v", 1);
        o.addProperty("id", id);
        o.addProperty("name", name);
        o.add("args", args == null ? new JsonObject() : args);
        long now = System.currentTimeMillis();
        o.addProperty("issuedAt", now);
        o.addProperty("expiresAt", now + ttl.toMillis());
        return o.toString();
    }

    /** Sends raw bytes (hostile input) to the unit's command topic. */
    public void sendRaw(String payload) throws MqttException {
        client.publish(new Topics(deviceId).commands(), payload);
    }

    /** Sends a command with a one-minute expiry and waits for its reply. */
    public JsonObject call(String name, JsonObject args, Duration timeout) throws MqttException {
        String id = newId();
        sendRaw(command(id, name, args, Duration.ofMinutes(1)));
        return awaitReply(id, 1, timeout);
    }

    /** Waits until the {@code nth} reply carrying {@code id} has arrived, and returns it. */
    public JsonObject awaitReply(String id, int nth, Duration timeout) {
        JsonObject[] found = new JsonObject[1];
        Await.until(() -> "reply " + nth + " to command " + id, timeout, () -> {
            int n = 0;
            for (CloudSubscriber.Received r : client.receivedOn(new Topics(deviceId).replies())) {
                JsonObject reply = JsonParser.parseString(new String(r.payload(), StandardCharsets.UTF_8))
                        .getAsJsonObject();
                if (!reply.get("id").isJsonNull() && reply.get("id").getAsString().equals(id) && ++n == nth) {
                    found[0] = reply;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Every message received so far (replies and the extra filters). */
    public CloudSubscriber subscriber() {
        return client;
    }

    @Override
    public void close() throws MqttException {
        client.close();
    }
}
