package com.oviron.callidus.agent.settings;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Merges the unit's and the cloud's edits of a settings document against the version both started from.
 *
 * <p>Each document is flattened to leaf paths (RFC 6901 pointers): objects are descended into; arrays,
 * scalars, {@code null} and empty objects are leaves. A path absent on one side counts as changed to
 * "absent". Per path: local equals base → the cloud's value; cloud equals base → the local value; both equal
 * → that value; otherwise a conflict, which the owner wins. The result keeps the local key order, then new
 * keys in the cloud's order.
 */
public final class ThreeWayMerge {

    /** Who wins a conflict. */
    public enum Owner {
        /** The unit (the person at the chair, the installer): the default owner of its documents. */
        LOCAL,
        /** The cloud: a service restore by Oviron ({@code "force": true}). */
        CLOUD;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A path both sides changed differently. A value is empty when the path is absent on that side.
     *
     * @param winner whose value the merged document has
     */
    public record Conflict(String path, Optional<JsonElement> base, Optional<JsonElement> local,
                           Optional<JsonElement> cloud, Owner winner) {
        public Conflict {
            Objects.requireNonNull(path, "path");
            base = base.map(JsonElement::deepCopy);
            local = local.map(JsonElement::deepCopy);
            cloud = cloud.map(JsonElement::deepCopy);
            Objects.requireNonNull(winner, "winner");
        }
    }

    /** The merged document and the conflicts found, in path order of the result. */
    public record Result(JsonObject merged, List<Conflict> conflicts) {
        public Result {
            merged = merged.deepCopy();
            conflicts = List.copyOf(conflicts);
        }

        @Override
        public JsonObject merged() {
            return merged.deepCopy();
        }
    }

    private ThreeWayMerge() {
    }

    /**
     * @throws InvalidSettingsException when the merged paths do not form one document (one side made an
     *     object of what the other side kept as a value); the caller refuses the change
     */
    public static Result merge(JsonObject base, JsonObject local, JsonObject cloud, Owner owner)
            throws InvalidSettingsException {
        Map<String, JsonElement> b = leaves(base);
        Map<String, JsonElement> l = leaves(local);
        Map<String, JsonElement> c = leaves(cloud);
        Set<String> paths = new LinkedHashSet<>(l.keySet());
        paths.addAll(c.keySet());
        paths.addAll(b.keySet());
        Map<String, JsonElement> merged = new LinkedHashMap<>();
        List<Conflict> conflicts = new ArrayList<>();
        for (String path : paths) {
            JsonElement lv = l.get(path);
            JsonElement cv = c.get(path);
            JsonElement bv = b.get(path);
            JsonElement result;
            if (JsonValues.same(lv, cv) || JsonValues.same(cv, bv)) {
                result = lv;
            } else if (JsonValues.same(lv, bv)) {
                result = cv;
            } else {
                conflicts.add(new Conflict(path, Optional.ofNullable(bv), Optional.ofNullable(lv),
                        Optional.ofNullable(cv), owner));
                result = owner == Owner.LOCAL ? lv : cv;
            }
            if (result != null) {
                merged.put(path, result);
            }
        }
        return new Result(build(merged), conflicts);
    }

    /** The leaves of a document by path, in document order. */
    static Map<String, JsonElement> leaves(JsonObject document) {
        Map<String, JsonElement> out = new LinkedHashMap<>();
        collect(document, "", out);
        return out;
    }

    private static void collect(JsonObject object, String path, Map<String, JsonElement> out) {
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            String child = JsonPointer.child(path, e.getKey());
            JsonElement value = e.getValue();
            if (value.isJsonObject() && !value.getAsJsonObject().isEmpty()) {
                collect(value.getAsJsonObject(), child, out);
            } else {
                out.put(child, value);
            }
        }
    }

    /** The document made of these leaves; an empty object leaf only makes sure the object exists. */
    static JsonObject build(Map<String, JsonElement> leaves) throws InvalidSettingsException {
        JsonObject root = new JsonObject();
        for (Map.Entry<String, JsonElement> e : leaves.entrySet()) {
            List<String> tokens = JsonPointer.tokens(e.getKey());
            JsonObject at = root;
            for (int i = 0; i < tokens.size() - 1; i++) {
                JsonElement next = at.get(tokens.get(i));
                if (next == null) {
                    next = new JsonObject();
                    at.add(tokens.get(i), next);
                } else if (!next.isJsonObject()) {
                    throw clash(e.getKey());
                }
                at = next.getAsJsonObject();
            }
            String last = tokens.get(tokens.size() - 1);
            JsonElement existing = at.get(last);
            JsonElement value = e.getValue().deepCopy();
            if (existing == null) {
                at.add(last, value);
            } else if (!(existing.isJsonObject() && value.isJsonObject() && value.getAsJsonObject().isEmpty())) {
                throw clash(e.getKey());
            }
        }
        return root;
    }

    private static InvalidSettingsException clash(String path) {
        return new InvalidSettingsException("path " + path + " is an object on one side and a value on the other;"
                + " the documents cannot be merged");
    }
}
