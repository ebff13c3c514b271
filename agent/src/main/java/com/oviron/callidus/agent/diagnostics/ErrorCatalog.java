package com.oviron.callidus.agent.diagnostics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.hal.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The error-code catalog shipped with the agent (one versioned resource, {@value #RESOURCE}): every alarm and
 * every agent error has a stable code with a title, a plain explanation, likely causes and the remedy a
 * technician should try, in English and Bulgarian. Read once; immutable; thread-safe.
 */
public final class ErrorCatalog {
    public static final String RESOURCE = "/com/oviron/callidus/agent/diagnostics/error-catalog.json";
    /** The languages every entry has, in this order. */
    public static final List<String> LANGUAGES = List.of("en", "bg");
    /** A code: a letter (A alarm, E agent error) and three digits. */
    public static final Pattern CODE = Pattern.compile("[AE][0-9]{3}");

    /** One language's texts of an entry. */
    public record Text(String title, String explanation, List<String> causes, String remedy) {
        public Text {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(explanation, "explanation");
            Objects.requireNonNull(remedy, "remedy");
            causes = List.copyOf(causes);
            if (title.isBlank() || explanation.isBlank() || remedy.isBlank() || causes.isEmpty()
                    || causes.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("title, explanation, causes and remedy must not be empty");
            }
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("title", title);
            o.addProperty("explanation", explanation);
            JsonArray c = new JsonArray();
            causes.forEach(c::add);
            o.add("causes", c);
            o.addProperty("remedy", remedy);
            return o;
        }
    }

    /**
     * @param code     the stable code
     * @param severity {@code alarm} (raised on the unit and sent as an event) or {@code error} (a failed check
     *                 or a refusal the agent reports)
     * @param kind     the event kind it belongs to, when it is one of the store's or subscription's own events
     * @param texts    by language
     */
    public record Entry(String code, String severity, Optional<String> kind, Map<String, Text> texts) {
        public Entry {
            texts = Collections.unmodifiableMap(new LinkedHashMap<>(texts));
        }

        /** The texts in {@code language}, English when the language is not in the catalog. */
        public Text text(String language) {
            return texts.getOrDefault(language, texts.get("en"));
        }

        /** {@code {"code":..,"en":{title, explanation, causes, remedy},"bg":{...}}}. */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("code", code);
            texts.forEach((lang, t) -> o.add(lang, t.toJson()));
            return o;
        }

        /** {@code {"code":..,"title":..,"remedy":..}} in one language, for lists. */
        public JsonObject summary(String language) {
            JsonObject o = new JsonObject();
            o.addProperty("code", code);
            o.addProperty("title", text(language).title());
            o.addProperty("remedy", text(language).remedy());
            return o;
        }
    }

    private static volatile ErrorCatalog shipped;

    private final String version;
    private final Map<String, Entry> entries;

    private ErrorCatalog(String version, Map<String, Entry> entries) {
        this.version = version;
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** The catalog shipped in the agent's jar. */
    public static ErrorCatalog shipped() {
        ErrorCatalog c = shipped;
        if (c == null) {
            try (InputStream in = ErrorCatalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the error catalog " + RESOURCE + " is missing from the jar");
                }
                c = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("the error catalog cannot be read: " + e.getMessage(), e);
            }
            shipped = c;
        }
        return c;
    }

    /**
     * Reads a catalog: strict JSON, format 1, every entry with a unique code, a severity and, in every language
     * of {@link #LANGUAGES}, a title, an explanation, at least one cause and a remedy.
     *
     * @throws IllegalArgumentException naming the entry and the field
     */
    public static ErrorCatalog parse(String json) {
        JsonObject root;
        try {
            root = StrictJson.parse(json).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("error catalog is not a strict JSON object: " + e.getMessage(), e);
        }
        if (!root.has("format") || root.get("format").getAsInt() != 1) {
            throw new IllegalArgumentException("error catalog: format must be 1");
        }
        String version = string(root, "version", "error catalog");
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (JsonElement e : root.getAsJsonArray("entries")) {
            JsonObject o = e.getAsJsonObject();
            String code = string(o, "code", "error catalog entry");
            String where = "error catalog entry " + code;
            if (!CODE.matcher(code).matches()) {
                throw new IllegalArgumentException(where + ": code must match " + CODE.pattern());
            }
            String severity = string(o, "severity", where);
            if (!severity.equals("alarm") && !severity.equals("error")) {
                throw new IllegalArgumentException(where + ": severity must be alarm or error");
            }
            Optional<String> kind = o.has("kind") ? Optional.of(string(o, "kind", where)) : Optional.empty();
            Map<String, Text> texts = new LinkedHashMap<>();
            for (String lang : LANGUAGES) {
                if (!o.has(lang) || !o.get(lang).isJsonObject()) {
                    throw new IllegalArgumentException(where + ": has no '" + lang + "' texts");
                }
                JsonObject t = o.getAsJsonObject(lang);
                List<String> causes = new ArrayList<>();
                if (t.has("causes") && t.get("causes").isJsonArray()) {
                    t.getAsJsonArray("causes").forEach(x -> causes.add(x.getAsString()));
                }
                try {
                    texts.put(lang, new Text(string(t, "title", where + " " + lang),
                            string(t, "explanation", where + " " + lang), causes, string(t, "remedy", where + " " + lang)));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + " " + lang + ": " + ex.getMessage(), ex);
                }
            }
            if (entries.put(code, new Entry(code, severity, kind, texts)) != null) {
                throw new IllegalArgumentException(where + ": appears twice");
            }
        }
        return new ErrorCatalog(version, entries);
    }

    private static String string(JsonObject o, String name, String where) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + ": '" + name + "' must be a string");
        }
        return e.getAsString();
    }

    /** The catalog's version, e.g. {@code 2026.12.1}. */
    public String version() {
        return version;
    }

    public Optional<Entry> entry(String code) {
        return Optional.ofNullable(entries.get(code));
    }

    /** The entry of {@code code}; for a code the catalog lacks (a defect), a stand-in that says so. */
    public Entry entryOrUnknown(String code) {
        Entry e = entries.get(code);
        if (e != null) {
            return e;
        }
        Text unknown = new Text("Unknown code " + code, "This code is not in the unit's error catalog.",
                List.of("a newer rule or agent than the catalog"), "Tell Oviron's service the code.");
        Map<String, Text> texts = new LinkedHashMap<>();
        LANGUAGES.forEach(l -> texts.put(l, unknown));
        return new Entry(code, "error", Optional.empty(), texts);
    }

    /** Every code, in catalog order. */
    public List<String> codes() {
        return List.copyOf(entries.keySet());
    }

    /** The entry whose event kind is {@code kind} (e.g. {@code store.corrupt}). */
    public Optional<Entry> forEventKind(String kind) {
        return entries.values().stream().filter(e -> e.kind().filter(kind::equals).isPresent()).findFirst();
    }
}
