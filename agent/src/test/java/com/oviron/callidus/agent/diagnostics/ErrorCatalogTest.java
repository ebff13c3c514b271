package com.oviron.callidus.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.oviron.callidus.agent.alarms.AlarmRules;
import com.oviron.callidus.hal.StrictJson;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ErrorCatalogTest {
    private final ErrorCatalog catalog = ErrorCatalog.shipped();

    @Test
    void every_code_the_agent_uses_by_name_is_in_the_catalog() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Field f : Codes.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String code = (String) f.get(null);
                if (catalog.entry(code).isEmpty()) {
                    missing.add(f.getName() + "=" + code);
                }
            }
        }
        assertTrue(missing.isEmpty(), "codes used in the code but not in the catalog: " + missing);
        assertTrue(Codes.class.getDeclaredFields().length >= 17, "the constants were found");
    }

    @Test
    void every_code_the_shipped_alarm_rules_name_is_an_alarm_code_of_the_catalog() throws Exception {
        JsonObject rules;
        try (InputStream in = AlarmRules.class.getResourceAsStream(AlarmRules.DEFAULTS)) {
            rules = StrictJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
        Set<String> codes = new TreeSet<>();
        collectCodes(rules, codes);
        assertTrue(codes.size() >= 15, "found the rules' codes: " + codes);
        for (String code : codes) {
            assertEquals("alarm", catalog.entry(code).orElseThrow(() -> new AssertionError(code + " not in catalog"))
                    .severity(), code);
        }
    }

    private static void collectCodes(JsonElement e, Set<String> out) {
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                if (m.getKey().equals("code")) {
                    out.add(m.getValue().getAsString());
                } else {
                    collectCodes(m.getValue(), out);
                }
            }
        }
    }

    @Test
    void every_entry_has_both_languages_with_all_fields_and_the_texts_differ_by_language() {
        assertFalse(catalog.codes().isEmpty());
        for (String code : catalog.codes()) {
            ErrorCatalog.Entry e = catalog.entry(code).orElseThrow();
            assertEquals(ErrorCatalog.LANGUAGES, List.copyOf(e.texts().keySet()), code);
            ErrorCatalog.Text en = e.texts().get("en");
            ErrorCatalog.Text bg = e.texts().get("bg");
            for (ErrorCatalog.Text t : List.of(en, bg)) {
                assertFalse(t.title().isBlank() || t.explanation().isBlank() || t.remedy().isBlank()
                        || t.causes().isEmpty(), code);
            }
            assertFalse(en.title().equals(bg.title()), code + ": the Bulgarian title is a translation");
            assertTrue(bg.title().chars().anyMatch(c -> Character.UnicodeBlock.of(c) == Character.UnicodeBlock.CYRILLIC),
                    code + ": Bulgarian is written in Cyrillic");
            assertEquals(en.causes().size(), bg.causes().size(), code + ": as many causes in both languages");
        }
        assertTrue(catalog.version().matches("\\d{4}\\.\\d+\\.\\d+"), catalog.version());
    }

    @Test
    void the_events_the_store_and_subscription_raise_have_their_code() {
        assertEquals("E010", catalog.forEventKind("store.corrupt").orElseThrow().code());
        assertEquals("E011", catalog.forEventKind("telemetry.dead_letter").orElseThrow().code());
        assertEquals("E020", catalog.forEventKind("subscription.reminder").orElseThrow().code());
    }

    @Test
    void a_catalog_with_a_missing_language_or_field_or_a_repeated_code_is_refused_naming_the_entry() {
        String ok = "{\"title\":\"t\",\"explanation\":\"x\",\"causes\":[\"c\"],\"remedy\":\"r\"}";
        IllegalArgumentException noBg = assertThrows(IllegalArgumentException.class, () -> ErrorCatalog.parse(
                "{\"format\":1,\"version\":\"1.0.0\",\"entries\":[{\"code\":\"A001\",\"severity\":\"alarm\",\"en\":" + ok
                        + "}]}"));
        assertTrue(noBg.getMessage().contains("A001") && noBg.getMessage().contains("'bg'"), noBg.getMessage());
        IllegalArgumentException noRemedy = assertThrows(IllegalArgumentException.class, () -> ErrorCatalog.parse(
                "{\"format\":1,\"version\":\"1.0.0\",\"entries\":[{\"code\":\"A001\",\"severity\":\"alarm\",\"en\":" + ok
                        + ",\"bg\":{\"title\":\"t\",\"explanation\":\"x\",\"causes\":[\"c\"]}}]}"));
        assertTrue(noRemedy.getMessage().contains("A001 bg") && noRemedy.getMessage().contains("remedy"),
                noRemedy.getMessage());
        String entry = "{\"code\":\"A001\",\"severity\":\"alarm\",\"en\":" + ok + ",\"bg\":" + ok + "}";
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> ErrorCatalog.parse(
                "{\"format\":1,\"version\":\"1.0.0\",\"entries\":[" + entry + "," + entry + "]}"));
        assertTrue(twice.getMessage().contains("appears twice"), twice.getMessage());
        assertEquals(List.of("A001"), ErrorCatalog.parse("{\"format\":1,\"version\":\"1.0.0\",\"entries\":[" + entry
                + "]}").codes());
    }

    @Test
    void an_unknown_code_gets_a_stand_in_that_says_so() {
        assertTrue(catalog.entryOrUnknown("A999").text("bg").title().contains("A999"));
    }
}
