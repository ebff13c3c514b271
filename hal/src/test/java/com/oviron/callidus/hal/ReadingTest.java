package com.oviron.callidus.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReadingTest {
    @Test
    void a_good_reading_needs_a_finite_value() {
        assertThrows(IllegalArgumentException.class,
                () -> new Reading("ch", Double.NaN, Instant.EPOCH, Quality.GOOD));
        assertEquals(Quality.STALE, new Reading("ch", Double.NaN, Instant.EPOCH, Quality.STALE).quality());
    }

    @Test
    void channel_ids_are_short_lower_case_names() {
        assertThrows(IllegalArgumentException.class, () -> new Channel("Main Air", "x", "bar"));
        assertThrows(IllegalArgumentException.class, () -> new Channel("a".repeat(33), "x", "bar"));
        assertEquals("main_air", new Channel("main_air", "Main air", "bar").id());
    }

    @Test
    void quality_codes_round_trip_and_unknown_codes_mean_comm_error() {
        for (Quality q : Quality.values()) {
            assertEquals(q, Quality.fromCode(q.code()));
        }
        assertEquals(Quality.COMM_ERROR, Quality.fromCode(99));
    }
}
