package com.oviron.callidus.agent.settings;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsJsonTest {
    private static final DocumentName NAME = new DocumentName("users/dr-a.json");

    private static String refusal(String text) {
        return assertThrows(InvalidSettingsException.class, () -> SettingsJson.parse(NAME, text.getBytes(UTF_8)))
                .getMessage();
    }

    @Test
    void reads_a_strict_json_object() throws Exception {
        JsonObject o = SettingsJson.parse(NAME, "{\"a\":{\"b\":[1,2]},\"c\":\"x\"}".getBytes(UTF_8));
        assertEquals(2, o.getAsJsonObject("a").getAsJsonArray("b").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1,2]", "\"text\"", "42", "{\"a\":1,}", "{a:1}", "{\"a\":1} trailing",
            "{\"a\":1}{\"b\":2}", "// comment\n{}", "{'a':1}", "{\"a\":NaN}", "null"})
    void refuses_anything_but_a_strict_json_object_and_names_the_document(String text) {
        assertTrue(refusal(text).startsWith("users/dr-a.json: "), refusal(text));
    }

    @Test
    void refuses_a_repeated_key_naming_it() {
        assertTrue(refusal("{\"chair\":{\"speed\":1,\"speed\":2}}").contains("chair.speed appears twice"));
    }

    @Test
    void refuses_invalid_utf8() {
        byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertTrue(assertThrows(InvalidSettingsException.class, () -> SettingsJson.parse(NAME, bytes)).getMessage()
                .contains("UTF-8"));
    }

    @Test
    void refuses_nesting_deeper_than_16_with_the_path() {
        String ok = "{\"a\":".repeat(15) + "1" + "}".repeat(15);
        assertDoesNotThrow(() -> SettingsJson.parse(NAME, ok.getBytes(UTF_8)));
        String deep = "{\"a\":".repeat(16) + "1" + "}".repeat(16);
        assertTrue(refusal(deep).contains("deeper than 16"), refusal(deep));
        String arrays = "{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}";
        assertTrue(refusal(arrays).contains("/a/0/0"), refusal(arrays));
        String bomb = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThrows(InvalidSettingsException.class, () -> SettingsJson.parse(NAME, bomb.getBytes(UTF_8)));
    }

    @Test
    void refuses_more_than_64_kib_as_file_or_as_compact_json() {
        String big = "{\"a\":\"" + "x".repeat(SettingsJson.MAX_BYTES) + "\"}";
        assertTrue(refusal(big).contains("at most 65536"));
        // U+2028 is 3 bytes in the file and 6 as it travels (escaped): the compact form counts too
        String wide = "{\"a\":\"" + "\u2028".repeat(15_000) + "\"}";
        assertTrue(wide.getBytes(UTF_8).length < SettingsJson.MAX_BYTES);
        assertTrue(refusal(wide).contains("as compact JSON"), refusal(wide));
    }

    @Test
    void a_value_may_not_change_its_kind_and_the_refusal_names_the_path() {
        JsonObject local = JsonParser.parseString("{\"chair\":{\"speed\":3,\"name\":\"x\",\"on\":true,"
                + "\"list\":[1],\"unset\":null}}").getAsJsonObject();
        for (String bad : new String[] {"{\"chair\":{\"speed\":\"3\"}}", "{\"chair\":{\"name\":1}}",
                "{\"chair\":{\"on\":\"yes\"}}", "{\"chair\":{\"list\":{}}}", "{\"chair\":5}"}) {
            InvalidSettingsException e = assertThrows(InvalidSettingsException.class, () -> SettingsJson
                    .checkTypesKept(NAME, local, JsonParser.parseString(bad).getAsJsonObject()));
            assertTrue(e.getMessage().startsWith("users/dr-a.json: /chair"), e.getMessage());
        }
        assertDoesNotThrow(() -> SettingsJson.checkTypesKept(NAME, local, JsonParser.parseString(
                "{\"chair\":{\"speed\":4.5,\"unset\":\"now set\",\"name\":null,\"new\":[]},\"other\":1}")
                .getAsJsonObject()));
    }

    @Test
    void writes_pretty_json_that_reads_back_the_same() throws Exception {
        JsonObject o = JsonParser.parseString("{\"a\":{\"b\":[1,2.50,\"<x>\"]},\"n\":null}").getAsJsonObject();
        byte[] bytes = SettingsJson.fileBytes(o);
        assertTrue(new String(bytes, UTF_8).contains("\n  \"a\""));
        assertTrue(new String(bytes, UTF_8).contains("<x>"), "no HTML escaping");
        assertTrue(JsonValues.same(o, SettingsJson.parse(NAME, bytes)));
    }
}
