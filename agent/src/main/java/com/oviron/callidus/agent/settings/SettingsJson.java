package com.oviron.callidus.agent.settings;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.hal.StrictJson;
import com.oviron.callidus.store.settings.SettingsVersions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads and writes settings documents and checks the rules every document obeys, wherever it comes from: a
 * UTF-8 JSON object in strict RFC 8259 syntax without repeated keys, at most {@value #MAX_DEPTH} levels deep,
 * and at most {@link SettingsVersions#MAX_DOCUMENT_BYTES} bytes both as the file and as compact JSON (the
 * form it travels in).
 */
final class SettingsJson {
    static final int MAX_DEPTH = 16;
    static final int MAX_BYTES = SettingsVersions.MAX_DOCUMENT_BYTES;
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .create();
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private SettingsJson() {
    }

    /** Parses a file's bytes. The message of the exception names the document. */
    static JsonObject parse(DocumentName name, byte[] bytes) throws InvalidSettingsException {
        if (bytes.length > MAX_BYTES) {
            throw new InvalidSettingsException(name + ": " + bytes.length + " bytes, at most " + MAX_BYTES
                    + " allowed");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidSettingsException(name + ": not valid UTF-8");
        }
        JsonElement root;
        try {
            root = StrictJson.parse(text);
        } catch (StrictJson.DuplicateKeyException e) {
            throw new InvalidSettingsException(name + ": key " + e.key() + " appears twice");
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingsException(name + ": not strict JSON: " + e.getMessage());
        }
        if (!root.isJsonObject()) {
            throw new InvalidSettingsException(name + ": a settings document is a JSON object");
        }
        check(name, root.getAsJsonObject());
        return root.getAsJsonObject();
    }

    /** Checks depth and compact size of a document however it arrived. */
    static void check(DocumentName name, JsonObject document) throws InvalidSettingsException {
        checkDepth(name, document, "", 1);
        int size = compact(document).length;
        if (size > MAX_BYTES) {
            throw new InvalidSettingsException(name + ": " + size + " bytes as compact JSON, at most " + MAX_BYTES
                    + " allowed");
        }
    }

    private static void checkDepth(DocumentName name, JsonElement e, String path, int depth)
            throws InvalidSettingsException {
        if (depth > MAX_DEPTH) {
            throw new InvalidSettingsException(name + ": " + (path.isEmpty() ? "/" : path) + " nests deeper than "
                    + MAX_DEPTH + " levels");
        }
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> child : e.getAsJsonObject().entrySet()) {
                checkDepth(name, child.getValue(), JsonPointer.child(path, child.getKey()), depth + 1);
            }
        } else if (e.isJsonArray()) {
            int i = 0;
            for (JsonElement item : e.getAsJsonArray()) {
                checkDepth(name, item, path + "/" + i++, depth + 1);
            }
        }
    }

    /**
     * Refuses a new version that changes the kind of a value the unit has: wherever both documents have a
     * key, its value must stay an object, an array, a string, a number or a boolean (a local {@code null}
     * may become anything; anything may become {@code null}).
     */
    static void checkTypesKept(DocumentName name, JsonObject current, JsonObject incoming)
            throws InvalidSettingsException {
        checkTypes(name, current, incoming, "");
    }

    private static void checkTypes(DocumentName name, JsonObject current, JsonObject incoming, String path)
            throws InvalidSettingsException {
        for (Map.Entry<String, JsonElement> e : incoming.entrySet()) {
            JsonElement was = current.get(e.getKey());
            if (was == null || was.isJsonNull() || e.getValue().isJsonNull()) {
                continue;
            }
            String child = JsonPointer.child(path, e.getKey());
            String before = JsonValues.kind(was);
            String after = JsonValues.kind(e.getValue());
            if (!before.equals(after)) {
                throw new InvalidSettingsException(name + ": " + child + " is a " + before + " on the unit and may"
                        + " not become a " + after);
            }
            if (was.isJsonObject()) {
                checkTypes(name, was.getAsJsonObject(), e.getValue().getAsJsonObject(), child);
            }
        }
    }

    /**
     * The bytes written to the settings folder: pretty-printed UTF-8 with a final newline, or compact when the
     * indentation would take it over the size limit.
     */
    static byte[] fileBytes(JsonObject document) {
        byte[] pretty = (PRETTY.toJson(document) + "\n").getBytes(StandardCharsets.UTF_8);
        return pretty.length <= MAX_BYTES ? pretty : compact(document);
    }

    /** Compact UTF-8 JSON, as it travels. */
    static byte[] compact(JsonElement e) {
        return COMPACT.toJson(e).getBytes(StandardCharsets.UTF_8);
    }

    static String compactString(JsonElement e) {
        return COMPACT.toJson(e);
    }
}
