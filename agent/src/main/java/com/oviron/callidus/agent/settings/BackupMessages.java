package com.oviron.callidus.agent.settings;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.oviron.callidus.store.settings.DocumentVersion;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * Builds the backup messages of {@code callidus/v1/<id>/settings}: documents, conflicts and invalid local
 * files, packed into as few messages as fit {@value #MAX_MESSAGE_BYTES} bytes each (a document is never split;
 * one document is at most 64 KiB). Every part carries {@code part} and {@code parts} so the cloud can tell
 * when it has the whole backup.
 */
final class BackupMessages {
    /** Target size of one message, well under AWS IoT Core's 128 KB. */
    static final int MAX_MESSAGE_BYTES = 100_000;
    private static final int HEADER_ALLOWANCE = 512;

    /** One message and what it carries, so that its acknowledgement can be booked. */
    record Part(byte[] payload, List<DocumentVersion> documents, List<SettingsReports.ConflictReport> conflicts,
                List<SettingsReports.InvalidLocalReport> invalid) {
    }

    private BackupMessages() {
    }

    static List<Part> build(String deviceId, long atMillis, String reason, List<DocumentVersion> documents,
                            List<SettingsReports.ConflictReport> conflicts,
                            List<SettingsReports.InvalidLocalReport> invalid) {
        List<Builder> builders = new ArrayList<>();
        Builder current = new Builder();
        builders.add(current);
        for (SettingsReports.InvalidLocalReport r : invalid) {
            current = fit(builders, current, r.toJson());
            current.invalidJson.add(r.toJson());
            current.invalid.add(r);
        }
        for (SettingsReports.ConflictReport r : conflicts) {
            current = fit(builders, current, r.toJson());
            current.conflictJson.add(r.toJson());
            current.conflicts.add(r);
        }
        for (DocumentVersion v : documents) {
            JsonObject json = documentJson(v);
            current = fit(builders, current, json);
            current.documentJson.add(json);
            current.documents.add(v);
        }
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < builders.size(); i++) {
            Builder b = builders.get(i);
            JsonObject o = new JsonObject();
            o.addProperty("v", 1);
            o.addProperty("device", deviceId);
            o.addProperty("at", atMillis);
            o.addProperty("reason", reason);
            o.addProperty("part", i + 1);
            o.addProperty("parts", builders.size());
            o.add("documents", b.documentJson);
            o.add("conflicts", b.conflictJson);
            o.add("invalidLocal", b.invalidJson);
            parts.add(new Part(SettingsJson.compact(o), List.copyOf(b.documents), List.copyOf(b.conflicts),
                    List.copyOf(b.invalid)));
        }
        return parts;
    }

    private static Builder fit(List<Builder> builders, Builder current, JsonElement item) {
        int size = SettingsJson.compact(item).length + 1;
        if (current.items > 0 && current.bytes + size > MAX_MESSAGE_BYTES - HEADER_ALLOWANCE) {
            current = new Builder();
            builders.add(current);
        }
        current.bytes += size;
        current.items++;
        return current;
    }

    /** A document version as it travels (also in {@code settings.get} replies). */
    static JsonObject documentJson(DocumentVersion v) {
        JsonObject o = new JsonObject();
        o.addProperty("name", v.name());
        o.addProperty("kind", DocumentName.isValid(v.name()) ? new DocumentName(v.name()).kind().wire() : "unknown");
        o.addProperty("version", v.version());
        o.addProperty("origin", v.origin().wire());
        o.addProperty("at", v.atMillis());
        if (v.deleted()) {
            o.addProperty("deleted", true);
            return o;
        }
        o.addProperty("sha256", v.sha256());
        try {
            o.add("content", SettingsJson.parse(new DocumentName(v.name()), v.content()));
        } catch (InvalidSettingsException | IllegalArgumentException e) {
            // only valid documents are recorded; this would be a damaged store
            Logger.error("stored settings version unreadable name={} version={} error={}", v.name(), v.version(),
                    e.getMessage());
            o.add("content", JsonNull.INSTANCE);
        }
        return o;
    }

    private static final class Builder {
        final JsonArray documentJson = new JsonArray();
        final JsonArray conflictJson = new JsonArray();
        final JsonArray invalidJson = new JsonArray();
        final List<DocumentVersion> documents = new ArrayList<>();
        final List<SettingsReports.ConflictReport> conflicts = new ArrayList<>();
        final List<SettingsReports.InvalidLocalReport> invalid = new ArrayList<>();
        int bytes;
        int items;
    }
}
