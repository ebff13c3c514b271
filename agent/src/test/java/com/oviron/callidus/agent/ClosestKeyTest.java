package com.oviron.callidus.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClosestKeyTest {
    private static final List<String> TOP = List.of("device", "hal", "store", "mqtt", "sync", "gpio", "log",
            "subscription", "settings", "display", "xray", "update", "console", "files", "shutdown");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "stor, store",            // a letter left out
        "stroe, store",           // two neighbours swapped: one edit
        "Store, store",           // case does not count
        "mqqt, mqtt",
        "subscripton, subscription",
        "setings, settings",
        "shutdwon, shutdown",
        "consol, console",
    })
    void suggests_the_known_key_a_close_typo_meant(String typo, String meant) {
        assertEquals(Optional.of(meant), ClosestKey.among(typo, TOP));
    }

    @ParameterizedTest
    @CsvSource({"telemetry", "broker", "x", "hardware"})
    void suggests_nothing_when_no_known_key_is_close(String typo) {
        assertEquals(Optional.empty(), ClosestKey.among(typo, TOP));
    }

    @Test
    void suggests_nothing_when_two_known_keys_are_equally_close() {
        // "seed" is one edit from both "speed" and "sees": a guess could send the technician the wrong way
        assertEquals(Optional.empty(), ClosestKey.among("seed", List.of("speed", "sees")));
    }

    @Test
    void a_short_key_allows_one_edit_only() {
        assertEquals(Optional.of("hal"), ClosestKey.among("hla", List.of("hal")));
        assertEquals(Optional.empty(), ClosestKey.among("hxy", List.of("hal")));
    }

    @Test
    void counts_insertions_deletions_replacements_and_swaps_as_one_edit_each() {
        assertEquals(0, ClosestKey.distance("store", "store"));
        assertEquals(1, ClosestKey.distance("stor", "store"));
        assertEquals(1, ClosestKey.distance("stores", "store"));
        assertEquals(1, ClosestKey.distance("stare", "store"));
        assertEquals(1, ClosestKey.distance("sotre", "store"));
        assertEquals(3, ClosestKey.distance("kitten", "sitting"));
        assertEquals(5, ClosestKey.distance("", "store"));
    }
}
