package com.oviron.callidus.tools.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamTrackerTest {

    @Test
    void a_resent_batch_counts_as_written_and_a_later_one_opens_a_gap_until_the_missing_one_arrives() {
        StreamTracker t = new StreamTracker();
        t.markWritten("CAL-1", 1, 500);
        assertTrue(t.written("CAL-1", 1));
        assertTrue(t.written("CAL-1", 500));
        assertFalse(t.written("CAL-1", 501));
        assertFalse(t.written("CAL-2", 1));

        t.markWritten("CAL-1", 1001, 1500);
        assertEquals(500, t.missing());
        assertEquals(1, t.openGaps());
        assertTrue(t.written("CAL-1", 1200));
        assertFalse(t.written("CAL-1", 800));

        t.markWritten("CAL-1", 501, 1000);
        assertEquals(0, t.missing());
        assertEquals(0, t.openGaps());
        assertTrue(t.written("CAL-1", 1500));
    }

    @Test
    void overlapping_and_touching_ranges_merge() {
        StreamTracker t = new StreamTracker();
        t.markWritten("U", 10, 20);
        t.markWritten("U", 30, 40);
        t.markWritten("U", 50, 60);
        assertEquals(2, t.openGaps());
        assertEquals(18, t.missing());
        t.markWritten("U", 21, 29);   // touches both sides
        t.markWritten("U", 35, 55);   // overlaps two ranges
        assertEquals(0, t.openGaps());
        assertTrue(t.written("U", 60));
        assertFalse(t.written("U", 61));
        assertFalse(t.written("U", 9), "below the first reading seen is not known to be written");
        assertEquals(1, t.devices());
    }
}
