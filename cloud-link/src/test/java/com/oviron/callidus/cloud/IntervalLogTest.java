package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IntervalLogTest {
    @Test
    void logs_the_first_then_once_per_interval_with_the_count_left_out() {
        AtomicLong nanos = new AtomicLong(1_000);
        IntervalLog log = new IntervalLog(Duration.ofMinutes(1), nanos::get);
        assertEquals(0, log.occurred(), "the first is logged");
        for (int i = 0; i < 4999; i++) {
            assertEquals(-1, log.occurred());
        }
        nanos.addAndGet(Duration.ofSeconds(59).toNanos());
        assertEquals(-1, log.occurred());
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(5000, log.occurred(), "one line, naming how many were not logged");
        assertEquals(-1, log.occurred());
    }
}
