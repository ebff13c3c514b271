package com.oviron.callidus.agent.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DocumentNameTest {

    @Test
    void the_two_shapes_have_their_kinds() {
        assertEquals(DocumentName.Kind.INSTALLATION, new DocumentName("installation.json").kind());
        assertEquals(DocumentName.Kind.USER, new DocumentName("users/dr-weiss_2.json").kind());
        assertEquals("user", new DocumentName("users/a.json").kind().wire());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../installation.json", "/etc/passwd", "users/../installation.json",
            "users/../../etc/shadow.json", ".hidden.json", "users/.hidden.json", "users/a/b.json", "Users/a.json",
            "users/A.json", "users/a.JSON", "users/a.txt", "users\\a.json", "logos/logo.json", "other.json",
            "users/.json", "users/a b.json", "users/a\u0000.json", "users//a.json", "users/a.json/",
            "./installation.json", "users/é.json"})
    void hostile_or_unknown_names_are_refused_with_a_reason(String name) {
        assertFalse(DocumentName.isValid(name), name);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DocumentName(name));
        assertTrue(e.getMessage().contains("document name"), e.getMessage());
    }

    @Test
    void names_longer_than_64_characters_are_refused() {
        String ok = "users/" + "a".repeat(64 - 11) + ".json";
        assertEquals(64, ok.length());
        assertTrue(DocumentName.isValid(ok));
        String tooLong = "users/" + "a".repeat(64 - 10) + ".json";
        assertTrue(DocumentName.problem(tooLong).contains("longer than 64"));
    }
}
