package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PublishRateLimiterTest {
    private long now = 1_000_000_000L;

    @Test
    void allows_a_burst_of_one_second_then_the_rate() {
        PublishRateLimiter limiter = new PublishRateLimiter(50, () -> now);
        int allowed = 0;
        while (limiter.tryAcquire() == 0) {
            allowed++;
        }
        assertEquals(50, allowed);
        long wait = limiter.tryAcquire();
        assertTrue(wait > 0 && wait <= 20_000_000L, "one token every 20 ms, wait " + wait);
        now += 20_000_000L;
        assertEquals(0, limiter.tryAcquire());
        now += 10_000_000_000L; // a long pause refills only one second's worth
        int burst = 0;
        while (limiter.tryAcquire() == 0) {
            burst++;
        }
        assertEquals(50, burst);
    }

    @Test
    void over_a_minute_it_keeps_the_average() {
        PublishRateLimiter limiter = new PublishRateLimiter(100, () -> now);
        int sent = 0;
        long end = now + 60_000_000_000L;
        while (now < end) {
            long wait = limiter.tryAcquire();
            if (wait == 0) {
                sent++;
            } else {
                now += wait;
            }
        }
        assertTrue(sent >= 6_000 && sent <= 6_100, "about 100 per second plus the first burst: " + sent);
    }

    @Test
    void zero_means_no_limit() {
        PublishRateLimiter limiter = new PublishRateLimiter(0, () -> now);
        for (int i = 0; i < 100_000; i++) {
            assertEquals(0, limiter.tryAcquire());
        }
    }
}
