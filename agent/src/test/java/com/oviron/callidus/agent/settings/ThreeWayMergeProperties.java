package com.oviron.callidus.agent.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The merge rule on many generated documents: small key and value sets, so that sides overlap often. */
class ThreeWayMergeProperties {

    @Provide
    Arbitrary<JsonObject> docs() {
        return object(2);
    }

    private Arbitrary<JsonObject> object(int depth) {
        Arbitrary<JsonElement> value = depth == 0 ? leaf()
                : Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf()),
                        net.jqwik.api.Tuple.of(1, object(depth - 1).map(o -> (JsonElement) o)));
        return Arbitraries.maps(Arbitraries.of("a", "b", "c", "d"), value).ofMaxSize(4).map(m -> {
            JsonObject o = new JsonObject();
            m.forEach(o::add);
            return o;
        });
    }

    private Arbitrary<JsonElement> leaf() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 3).map(i -> (JsonElement) new JsonPrimitive(i)),
                Arbitraries.of("x", "y").map(s -> (JsonElement) new JsonPrimitive(s)),
                Arbitraries.of(true, false).map(b -> (JsonElement) new JsonPrimitive(b)),
                Arbitraries.just(JsonNull.INSTANCE),
                Arbitraries.integers().between(0, 2).list().ofMaxSize(2).map(l -> {
                    JsonArray a = new JsonArray();
                    l.forEach(a::add);
                    return (JsonElement) a;
                }));
    }

    @Property
    void when_the_unit_changed_nothing_the_result_is_the_cloud_document(@ForAll("docs") JsonObject base,
                                                                        @ForAll("docs") JsonObject cloud)
            throws Exception {
        ThreeWayMerge.Result r = ThreeWayMerge.merge(base, base, cloud, ThreeWayMerge.Owner.LOCAL);
        assertTrue(JsonValues.same(normal(cloud), r.merged()), cloud + " vs " + r.merged());
        assertTrue(r.conflicts().isEmpty());
    }

    @Property
    void when_the_cloud_changed_nothing_the_result_is_the_unit_document(@ForAll("docs") JsonObject base,
                                                                        @ForAll("docs") JsonObject local)
            throws Exception {
        ThreeWayMerge.Result r = ThreeWayMerge.merge(base, local, base, ThreeWayMerge.Owner.CLOUD);
        assertTrue(JsonValues.same(normal(local), r.merged()), local + " vs " + r.merged());
        assertTrue(r.conflicts().isEmpty());
    }

    @Property
    void identical_edits_never_conflict(@ForAll("docs") JsonObject base, @ForAll("docs") JsonObject both)
            throws Exception {
        ThreeWayMerge.Result r = ThreeWayMerge.merge(base, both, both.deepCopy(), ThreeWayMerge.Owner.LOCAL);
        assertTrue(JsonValues.same(normal(both), r.merged()));
        assertTrue(r.conflicts().isEmpty());
    }

    @Property
    void swapping_the_sides_and_the_owner_gives_the_same_document(@ForAll("docs") JsonObject base,
                                                                   @ForAll("docs") JsonObject local,
                                                                   @ForAll("docs") JsonObject cloud) {
        String a;
        String b;
        try {
            a = canonical(ThreeWayMerge.merge(base, local, cloud, ThreeWayMerge.Owner.LOCAL));
        } catch (InvalidSettingsException e) {
            a = "clash";
        }
        try {
            b = canonical(ThreeWayMerge.merge(base, cloud, local, ThreeWayMerge.Owner.CLOUD));
        } catch (InvalidSettingsException e) {
            b = "clash";
        }
        assertEquals(a, b);
    }

    @Property
    void every_path_has_the_owners_value_or_the_only_change(@ForAll("docs") JsonObject base,
                                                            @ForAll("docs") JsonObject local,
                                                            @ForAll("docs") JsonObject cloud) {
        ThreeWayMerge.Result r;
        try {
            r = ThreeWayMerge.merge(base, local, cloud, ThreeWayMerge.Owner.LOCAL);
        } catch (InvalidSettingsException e) {
            return; // one side made an object of the other's value: refused as a whole, checked elsewhere
        }
        Map<String, JsonElement> b = ThreeWayMerge.leaves(base);
        Map<String, JsonElement> l = ThreeWayMerge.leaves(local);
        Map<String, JsonElement> c = ThreeWayMerge.leaves(cloud);
        Map<String, JsonElement> m = ThreeWayMerge.leaves(r.merged());
        java.util.Set<String> conflictPaths = new java.util.HashSet<>();
        r.conflicts().forEach(x -> conflictPaths.add(x.path()));
        java.util.Set<String> all = new java.util.HashSet<>(b.keySet());
        all.addAll(l.keySet());
        all.addAll(c.keySet());
        for (String path : all) {
            JsonElement expected;
            if (JsonValues.same(l.get(path), b.get(path))) {
                expected = c.get(path);
            } else {
                expected = l.get(path);
            }
            boolean conflict = !JsonValues.same(l.get(path), b.get(path)) && !JsonValues.same(c.get(path), b.get(path))
                    && !JsonValues.same(l.get(path), c.get(path));
            assertEquals(conflict, conflictPaths.contains(path), path);
            if (expected != null && !(expected.isJsonObject())) {
                assertTrue(JsonValues.same(expected, m.get(path)), path + ": " + expected + " vs " + m.get(path));
            } else if (expected == null && m.containsKey(path)) {
                // only an empty-object leaf may stand in for a parent whose children come from the other side
                assertTrue(m.get(path).isJsonObject(), path + " should be absent but is " + m.get(path));
            }
        }
    }

    /** A document as the merge represents it (same leaves), for comparison. */
    private static JsonObject normal(JsonObject o) throws InvalidSettingsException {
        return ThreeWayMerge.build(ThreeWayMerge.leaves(o));
    }

    private static String canonical(ThreeWayMerge.Result r) {
        return new java.util.TreeMap<>(ThreeWayMerge.leaves(r.merged())).toString() + " conflicts="
                + r.conflicts().stream().map(ThreeWayMerge.Conflict::path).sorted().toList();
    }
}
