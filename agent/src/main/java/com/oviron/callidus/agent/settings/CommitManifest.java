package com.oviron.callidus.agent.settings;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.hal.StrictJson;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The commit manifest of a settings write (docs/settings-sync.md, "Writing"): which of the agent's temp files
 * become which documents, and which documents go. It is what start-up replays after a power cut, so it is
 * checked as a whole before any of it is carried out; one wrong entry refuses all of it.
 *
 * <p>Every entry must be confined to the settings folder: a {@code to} and a {@code delete} are
 * {@link DocumentName}s; a {@code from} is one of the agent's own temp names ({@code .settings-<uuid>.tmp})
 * in the same folder as its {@code to}; no name appears twice.
 *
 * @param renames temp file (relative to the settings folder) to document
 * @param deletes documents removed
 */
record CommitManifest(Map<String, DocumentName> renames, Set<DocumentName> deletes) {
    /** Largest manifest read (256 renames and 256 deletes fit easily). */
    static final int MAX_BYTES = 64 * 1024;
    private static final Pattern TEMP = Pattern.compile(
            "(users/)?\\.settings-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

    CommitManifest {
        renames = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(renames));
        deletes = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(deletes));
    }

    /** Whether {@code relative} is a temp file name the agent makes. */
    static boolean isAgentTemp(String relative) {
        return TEMP.matcher(relative).matches();
    }

    /** The JSON form: {@code {"renames":[{"from":..,"to":..}],"deletes":[..]}}. */
    byte[] encode() {
        JsonObject m = new JsonObject();
        JsonArray r = new JsonArray();
        renames.forEach((from, to) -> {
            JsonObject e = new JsonObject();
            e.addProperty("from", from);
            e.addProperty("to", to.path());
            r.add(e);
        });
        JsonArray d = new JsonArray();
        deletes.forEach(n -> d.add(n.path()));
        m.add("renames", r);
        m.add("deletes", d);
        return SettingsJson.compact(m);
    }

    /**
     * Reads and checks a manifest.
     *
     * @throws InvalidSettingsException naming the first problem; nothing of the manifest may then be done
     */
    static CommitManifest parse(byte[] bytes) throws InvalidSettingsException {
        if (bytes.length > MAX_BYTES) {
            throw new InvalidSettingsException("larger than " + MAX_BYTES + " bytes");
        }
        JsonElement root;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
            root = StrictJson.parse(text);
        } catch (CharacterCodingException e) {
            throw new InvalidSettingsException("not UTF-8");
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingsException("not strict JSON: " + e.getMessage());
        }
        if (!root.isJsonObject() || !root.getAsJsonObject().keySet().equals(Set.of("renames", "deletes"))) {
            throw new InvalidSettingsException("not an object of exactly \"renames\" and \"deletes\"");
        }
        JsonObject m = root.getAsJsonObject();
        List<JsonElement> renames = array(m, "renames");
        List<JsonElement> deletes = array(m, "deletes");
        if (renames.size() + deletes.size() > 2 * SettingsFolder.MAX_DOCUMENTS) {
            throw new InvalidSettingsException("more than " + 2 * SettingsFolder.MAX_DOCUMENTS + " entries");
        }
        Map<String, DocumentName> r = new java.util.LinkedHashMap<>();
        Set<DocumentName> targets = new HashSet<>();
        for (JsonElement e : renames) {
            if (!e.isJsonObject() || !e.getAsJsonObject().keySet().equals(Set.of("from", "to"))) {
                throw new InvalidSettingsException("a rename is not an object of exactly \"from\" and \"to\"");
            }
            String from = string(e.getAsJsonObject().get("from"), "from");
            DocumentName to = document(string(e.getAsJsonObject().get("to"), "to"));
            if (!isAgentTemp(from)) {
                throw new InvalidSettingsException("rename from '" + shown(from) + "': not a temp file name of the"
                        + " agent (.settings-<uuid>.tmp in the settings folder or users/)");
            }
            if (!folderOf(from).equals(folderOf(to.path()))) {
                throw new InvalidSettingsException("rename from '" + from + "' to '" + to + "': not in the same"
                        + " folder");
            }
            if (r.containsKey(from) || !targets.add(to)) {
                throw new InvalidSettingsException("'" + from + "' or '" + to + "' appears twice");
            }
            r.put(from, to);
        }
        Set<DocumentName> d = new java.util.LinkedHashSet<>();
        for (JsonElement e : deletes) {
            DocumentName n = document(string(e, "delete"));
            if (targets.contains(n) || !d.add(n)) {
                throw new InvalidSettingsException("'" + n + "' is deleted twice or also written");
            }
        }
        return new CommitManifest(r, d);
    }

    private static List<JsonElement> array(JsonObject m, String key) throws InvalidSettingsException {
        JsonElement e = m.get(key);
        if (!e.isJsonArray()) {
            throw new InvalidSettingsException("\"" + key + "\" is not an array");
        }
        List<JsonElement> out = new ArrayList<>();
        e.getAsJsonArray().forEach(out::add);
        return out;
    }

    private static String string(JsonElement e, String what) throws InvalidSettingsException {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new InvalidSettingsException("\"" + what + "\" is not a string");
        }
        return e.getAsString();
    }

    private static DocumentName document(String path) throws InvalidSettingsException {
        String problem = DocumentName.problem(path);
        if (problem != null) {
            throw new InvalidSettingsException(problem);
        }
        return new DocumentName(path);
    }

    private static String folderOf(String relative) {
        int slash = relative.lastIndexOf('/');
        return slash < 0 ? "" : relative.substring(0, slash);
    }

    private static String shown(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
