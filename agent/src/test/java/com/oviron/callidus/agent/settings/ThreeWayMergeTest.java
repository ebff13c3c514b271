package com.oviron.callidus.agent.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThreeWayMergeTest {

    static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    static ThreeWayMerge.Result merge(String base, String local, String cloud) throws InvalidSettingsException {
        return ThreeWayMerge.merge(json(base), json(local), json(cloud), ThreeWayMerge.Owner.LOCAL);
    }

    static void assertSameJson(String expected, JsonObject actual) {
        assertTrue(JsonValues.same(json(expected), actual), "expected " + expected + " but was " + actual);
    }

    @Test
    void a_cloud_change_is_taken_where_the_unit_kept_the_base() throws Exception {
        ThreeWayMerge.Result r = merge("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2}", "{\"a\":5,\"b\":2}");
        assertSameJson("{\"a\":5,\"b\":2}", r.merged());
        assertTrue(r.conflicts().isEmpty());
    }

    @Test
    void a_local_change_stays_where_the_cloud_kept_the_base() throws Exception {
        ThreeWayMerge.Result r = merge("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":3}", "{\"a\":1,\"b\":2}");
        assertSameJson("{\"a\":1,\"b\":3}", r.merged());
        assertTrue(r.conflicts().isEmpty());
    }

    @Test
    void changes_to_different_paths_are_both_kept() throws Exception {
        ThreeWayMerge.Result r = merge("{\"chair\":{\"speed\":3,\"tilt\":10},\"light\":50}",
                "{\"chair\":{\"speed\":4,\"tilt\":10},\"light\":50}",
                "{\"chair\":{\"speed\":3,\"tilt\":12},\"light\":50,\"new\":true}");
        assertSameJson("{\"chair\":{\"speed\":4,\"tilt\":12},\"light\":50,\"new\":true}", r.merged());
        assertTrue(r.conflicts().isEmpty());
    }

    @Test
    void the_same_change_on_both_sides_is_no_conflict() throws Exception {
        ThreeWayMerge.Result r = merge("{\"a\":1}", "{\"a\":2}", "{\"a\":2.0}");
        assertSameJson("{\"a\":2}", r.merged());
        assertTrue(r.conflicts().isEmpty());
    }

    @Test
    void a_conflict_goes_to_the_unit_and_is_reported_with_all_three_values() throws Exception {
        ThreeWayMerge.Result r = merge("{\"a\":1}", "{\"a\":2}", "{\"a\":3}");
        assertSameJson("{\"a\":2}", r.merged());
        ThreeWayMerge.Conflict c = r.conflicts().get(0);
        assertEquals("/a", c.path());
        assertEquals(Optional.of(JsonParser.parseString("1")), c.base());
        assertEquals(Optional.of(JsonParser.parseString("2")), c.local());
        assertEquals(Optional.of(JsonParser.parseString("3")), c.cloud());
        assertEquals(ThreeWayMerge.Owner.LOCAL, c.winner());
    }

    @Test
    void with_force_the_cloud_wins_a_conflict_and_it_is_still_reported() throws Exception {
        ThreeWayMerge.Result r = ThreeWayMerge.merge(json("{\"a\":1,\"b\":1}"), json("{\"a\":2,\"b\":7}"),
                json("{\"a\":3,\"b\":1}"), ThreeWayMerge.Owner.CLOUD);
        assertSameJson("{\"a\":3,\"b\":7}", r.merged());
        assertEquals(1, r.conflicts().size());
        assertEquals(ThreeWayMerge.Owner.CLOUD, r.conflicts().get(0).winner());
    }

    @Test
    void a_deletion_on_one_side_wins_over_an_unchanged_other_side() throws Exception {
        assertSameJson("{\"b\":2}", merge("{\"a\":1,\"b\":2}", "{\"b\":2}", "{\"a\":1,\"b\":2}").merged());
        assertSameJson("{\"b\":2}", merge("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2}", "{\"b\":2}").merged());
    }

    @Test
    void a_deletion_against_a_change_is_a_conflict_with_the_absent_side_empty() throws Exception {
        ThreeWayMerge.Result r = merge("{\"a\":1}", "{}", "{\"a\":2}");
        assertSameJson("{}", r.merged());
        ThreeWayMerge.Conflict c = r.conflicts().get(0);
        assertEquals(Optional.empty(), c.local());
        assertEquals(Optional.of(JsonParser.parseString("2")), c.cloud());
    }

    @Test
    void a_key_added_on_both_sides_with_different_values_is_a_conflict() throws Exception {
        ThreeWayMerge.Result r = merge("{}", "{\"x\":\"unit\"}", "{\"x\":\"cloud\"}");
        assertSameJson("{\"x\":\"unit\"}", r.merged());
        assertEquals(Optional.empty(), r.conflicts().get(0).base());
    }

    @Test
    void arrays_are_single_values() throws Exception {
        ThreeWayMerge.Result r = merge("{\"p\":[1,2]}", "{\"p\":[1,2,3]}", "{\"p\":[0,1,2]}");
        assertSameJson("{\"p\":[1,2,3]}", r.merged());
        assertEquals("/p", r.conflicts().get(0).path());
        assertSameJson("{\"p\":[0,1,2]}", merge("{\"p\":[1,2]}", "{\"p\":[1,2]}", "{\"p\":[0,1,2]}").merged());
    }

    @Test
    void removing_a_whole_object_keeps_keys_the_other_side_added_to_it() throws Exception {
        ThreeWayMerge.Result r = merge("{\"o\":{\"x\":1}}", "{\"o\":{\"x\":1,\"y\":2}}", "{}");
        assertSameJson("{\"o\":{\"y\":2}}", r.merged());
        assertTrue(r.conflicts().isEmpty());
    }

    @Test
    void empty_objects_and_nulls_survive() throws Exception {
        assertSameJson("{\"e\":{},\"n\":null}", merge("{}", "{\"e\":{}}", "{\"n\":null}").merged());
        assertSameJson("{\"e\":{\"k\":1}}", merge("{}", "{\"e\":{}}", "{\"e\":{\"k\":1}}").merged());
    }

    @Test
    void keys_with_slashes_and_tildes_are_escaped_in_paths() throws Exception {
        ThreeWayMerge.Result r = merge("{\"a/b\":{\"~c\":1}}", "{\"a/b\":{\"~c\":2}}", "{\"a/b\":{\"~c\":3}}");
        assertEquals("/a~1b/~0c", r.conflicts().get(0).path());
        assertSameJson("{\"a/b\":{\"~c\":2}}", r.merged());
    }

    @Test
    void the_result_keeps_the_local_key_order_then_new_cloud_keys() throws Exception {
        JsonObject merged = merge("{}", "{\"z\":1,\"a\":2}", "{\"z\":1,\"a\":2,\"m\":3}").merged();
        assertEquals(List.of("z", "a", "m"), List.copyOf(merged.keySet()));
    }

    @Test
    void a_value_that_is_an_object_on_the_other_side_cannot_be_merged() {
        InvalidSettingsException e = assertThrows(InvalidSettingsException.class,
                () -> merge("{\"a\":{\"x\":1}}", "{\"a\":{\"x\":2}}", "{\"a\":5}"));
        assertTrue(e.getMessage().contains("/a"), e.getMessage());
    }

    @Test
    void large_numbers_are_compared_exactly() throws Exception {
        ThreeWayMerge.Result r = merge("{\"n\":10000000000000000}", "{\"n\":10000000000000000}",
                "{\"n\":10000000000000001}");
        assertEquals("10000000000000001", r.merged().get("n").getAsString());
    }

    static JsonElement at(JsonObject o, String key) {
        return o.get(key);
    }
}
