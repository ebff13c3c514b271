package com.oviron.callidus.cloud;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The topic tree of one unit: {@code callidus/v1/<deviceId>/<kind>}. Four levels, well within the seven that
 * AWS IoT Core allows. See docs/protocol.md.
 *
 * @param deviceId the unit's id (its serial number): letters, digits, '-' and '_', 1 to 64 characters
 */
public record Topics(String deviceId) {
    /** The first levels of every topic; the version changes only with an incompatible protocol. */
    public static final String ROOT = "callidus/v1";
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public Topics {
        Objects.requireNonNull(deviceId, "deviceId");
        if (!DEVICE_ID.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("device id '" + deviceId + "' must match " + DEVICE_ID.pattern());
        }
    }

    /** Whether {@code id} is a valid device id. */
    public static boolean isValidDeviceId(String id) {
        return id != null && DEVICE_ID.matcher(id).matches();
    }

    /** Retained online/offline status; also the last-will topic. */
    public String status() {
        return ROOT + "/" + deviceId + "/status";
    }

    /** Retained channel catalog: what the channel ids in telemetry mean. */
    public String channels() {
        return ROOT + "/" + deviceId + "/channels";
    }

    /** Retained buffer and hardware figures, refreshed periodically. */
    public String health() {
        return ROOT + "/" + deviceId + "/health";
    }

    /** Alarms and audit events, QoS 1, one per message, sent before any telemetry. */
    public String events() {
        return ROOT + "/" + deviceId + "/events";
    }

    /** The newest value of each channel while a backlog is replayed, QoS 0, not retained. */
    public String live() {
        return ROOT + "/" + deviceId + "/live";
    }

    /** Commands from the cloud, QoS 1; the unit subscribes with a persistent session. */
    public String commands() {
        return ROOT + "/" + deviceId + "/cmd";
    }

    /** Replies to commands, QoS 1, correlated by the command's id. */
    public String replies() {
        return ROOT + "/" + deviceId + "/reply";
    }

    /** The state of software updates, retained, QoS 1: every step of the newest update. */
    public String update() {
        return ROOT + "/" + deviceId + "/update";
    }

    /** Remote console input, cloud to unit, QoS 1 (docs/protocol.md, "Remote console"). */
    public String consoleIn() {
        return ROOT + "/" + deviceId + "/console/in";
    }

    /** Remote console output, unit to cloud, QoS 1. */
    public String consoleOut() {
        return ROOT + "/" + deviceId + "/console/out";
    }

    /** Telemetry batches, QoS 1. */
    public String telemetry() {
        return ROOT + "/" + deviceId + "/telemetry";
    }

    /** The subscription filter for the status of every unit (cloud side). */
    public static String allStatus() {
        return ROOT + "/+/status";
    }

    /** The subscription filter for the channel catalogs of every unit (cloud side). */
    public static String allChannels() {
        return ROOT + "/+/channels";
    }

    /** Whether an MQTT topic filter ({@code +} one level, {@code #} the rest) matches a topic. */
    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** The device id in a topic of this tree, or empty if the topic is not one of ours. */
    public static java.util.Optional<String> deviceOf(String topic) {
        String[] levels = topic.split("/", -1);
        if (levels.length == 4 && (levels[0] + "/" + levels[1]).equals(ROOT) && isValidDeviceId(levels[2])) {
            return java.util.Optional.of(levels[2]);
        }
        return java.util.Optional.empty();
    }

    /** The subscription filter for the health of every unit (cloud side). */
    public static String allHealth() {
        return ROOT + "/+/health";
    }

    /** The subscription filter for the events of every unit (cloud side). */
    public static String allEvents() {
        return ROOT + "/+/events";
    }

    /** The subscription filter for the command replies of every unit (cloud side). */
    public static String allReplies() {
        return ROOT + "/+/reply";
    }

    /** The subscription filter for the telemetry of every unit (cloud side). */
    public static String allTelemetry() {
        return ROOT + "/+/telemetry";
    }
}
