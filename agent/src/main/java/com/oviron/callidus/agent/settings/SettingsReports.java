package com.oviron.callidus.agent.settings;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Objects;
import java.util.Optional;

/** What the unit tells the cloud besides documents: merge conflicts and local files it could not take. */
final class SettingsReports {
    /** Values larger than this (compact JSON) are left out of a conflict report, which says so. */
    static final int MAX_VALUE_BYTES = 512;

    private SettingsReports() {
    }

    /**
     * A conflict in one document, from the command that caused it.
     *
     * @param via       the command: {@code put} (defaults never conflict: the room's value is an override)
     * @param commandId the command's id, to correlate with its reply
     */
    record ConflictReport(DocumentName document, ThreeWayMerge.Conflict conflict, String via, String commandId,
                          long atMillis) {
        ConflictReport {
            Objects.requireNonNull(document, "document");
            Objects.requireNonNull(conflict, "conflict");
            Objects.requireNonNull(via, "via");
            Objects.requireNonNull(commandId, "commandId");
        }

        JsonObject toJson() {
            JsonObject o = conflictJson(conflict);
            o.addProperty("document", document.path());
            o.addProperty("via", via);
            o.addProperty("command", commandId);
            o.addProperty("at", atMillis);
            return o;
        }
    }

    /** A local file that is not valid settings: not backed up, the last good version stays the current one. */
    record InvalidLocalReport(DocumentName document, String sha256, String reason, long atMillis) {
        InvalidLocalReport {
            Objects.requireNonNull(document, "document");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(reason, "reason");
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("document", document.path());
            o.addProperty("sha256", sha256);
            o.addProperty("reason", reason.length() > 500 ? reason.substring(0, 500) + "..." : reason);
            o.addProperty("at", atMillis);
            return o;
        }
    }

    /**
     * A conflict as JSON: {@code path}, {@code base}, {@code local}, {@code cloud} (a side is left out when the
     * path is absent there), {@code winner}, and {@code truncated} listing sides whose value was too large.
     */
    static JsonObject conflictJson(ThreeWayMerge.Conflict c) {
        JsonObject o = new JsonObject();
        o.addProperty("path", c.path());
        JsonArray truncated = new JsonArray();
        add(o, "base", c.base(), truncated);
        add(o, "local", c.local(), truncated);
        add(o, "cloud", c.cloud(), truncated);
        o.addProperty("winner", c.winner().wire());
        if (!truncated.isEmpty()) {
            o.add("truncated", truncated);
        }
        return o;
    }

    private static void add(JsonObject o, String side, Optional<JsonElement> value, JsonArray truncated) {
        if (value.isEmpty()) {
            return;
        }
        if (SettingsJson.compact(value.get()).length > MAX_VALUE_BYTES) {
            truncated.add(side);
        } else {
            o.add(side, value.get());
        }
    }
}
