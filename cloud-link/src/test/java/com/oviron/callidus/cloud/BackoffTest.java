package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(60));

    @Test
    void the_cap_doubles_per_attempt_up_to_the_maximum() {
        assertEquals(Duration.ofMillis(500), backoff.cap(0));
        assertEquals(Duration.ofMillis(1000), backoff.cap(1));
        assertEquals(Duration.ofMillis(32_000), backoff.cap(6));
        assertEquals(Duration.ofSeconds(60), backoff.cap(7));
        assertEquals(Duration.ofSeconds(60), backoff.cap(1_000));
    }

    @Test
    void delays_are_spread_over_the_whole_range_up_to_the_cap() {
        Random random = new Random(1);
        Set<Long> seen = new HashSet<>();
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2_000; i++) {
            long d = backoff.delay(3, random).toMillis();
            assertTrue(d >= 0 && d <= 4_000, "delay " + d);
            seen.add(d / 400);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertEquals(10, seen.size(), "every tenth of the range is used: " + seen);
        assertTrue(min < 100 && max > 3_900, "min=" + min + " max=" + max);
    }

    @Test
    void rejects_nonsense_settings() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
