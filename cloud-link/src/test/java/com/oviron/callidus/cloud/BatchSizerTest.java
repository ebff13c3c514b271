package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSizerTest {
    private static final int MAX_BYTES = 120 * 1024;

    private static BatchSizer sizer(int base, int catchUpReadings) {
        return new BatchSizer(new SyncSettings(base, 8, Duration.ofSeconds(1), 50, catchUpReadings, MAX_BYTES));
    }

    @Test
    void a_caught_up_unit_sends_batches_of_the_normal_size() {
        BatchSizer s = sizer(500, 32_768);
        s.encoded(500, 600);
        assertEquals(500, s.readingsFor(0));
        assertEquals(500, s.readingsFor(500));
    }

    @Test
    void the_first_batch_of_a_backlog_is_a_normal_one_that_tells_the_bytes_per_reading() {
        assertEquals(500, sizer(500, 32_768).readingsFor(10_000_000));
    }

    @Test
    void under_a_backlog_batches_grow_to_what_fits_the_byte_limit_at_most_the_reading_limit() {
        BatchSizer s = sizer(500, 65_536);
        s.encoded(500, 5_000); // 10 bytes per reading: raw values
        assertEquals((int) (MAX_BYTES * BatchSizer.FILL / 10.0), s.readingsFor(10_000_000));
        s.encoded(500, 600); // 1.2 bytes per reading: the reading limit binds
        assertEquals(65_536, s.readingsFor(10_000_000));
        s.encoded(500, 600);
        assertEquals(500, s.readingsFor(400), "caught up again: back to the normal size");
    }

    @Test
    void batches_never_grow_when_the_catch_up_limit_is_not_above_the_normal_size() {
        BatchSizer s = sizer(500, 500);
        s.encoded(500, 600);
        assertEquals(500, s.readingsFor(10_000_000));
    }

    @Test
    void never_shrinks_below_the_normal_size_however_large_the_readings() {
        BatchSizer s = sizer(500, 32_768);
        s.encoded(500, 200_000);
        assertEquals(500, s.readingsFor(10_000_000));
    }

    @Test
    void only_a_grown_batch_over_the_byte_limit_is_cut_and_in_proportion() {
        BatchSizer s = sizer(500, 32_768);
        assertTrue(s.tooLarge(20_000, MAX_BYTES + 1));
        assertFalse(s.tooLarge(20_000, MAX_BYTES));
        assertFalse(s.tooLarge(500, MAX_BYTES + 1), "a normal batch is sent as it always was");
        assertEquals((int) (20_000 * (MAX_BYTES * BatchSizer.FILL / (2.0 * MAX_BYTES))), s.cutTo(20_000, 2 * MAX_BYTES));
        assertEquals(500, s.cutTo(600, 100 * MAX_BYTES), "never below the normal size");
        assertTrue(s.cutTo(20_000, MAX_BYTES + 1) < 20_000, "always fewer than before");
    }
}
