package com.oviron.callidus.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.NewReading;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The BLOB layout of a block of readings: what goes in comes out, and a damaged BLOB is named, never misread. */
class ReadingBlockTest {

    @Test
    void every_reading_comes_back_with_its_channel_time_value_and_quality() throws Exception {
        List<NewReading> readings = List.of(
                new NewReading("a", 1_796_000_000_000L, 230.25, 0),
                new NewReading("b", 1_796_000_000_000L, -0.0, 127),
                new NewReading("a", 1_795_999_999_000L, Double.MAX_VALUE, 3), // time goes back
                new NewReading("c", 0L, Double.MIN_VALUE, 1),
                new NewReading("d", Long.MAX_VALUE, 1e-300, 64));
        int[] ids = {1, 2, 1, 300, Integer.MAX_VALUE};
        ReadingBlock block = ReadingBlock.decode(41, ReadingBlock.encode(readings, ids, 0, readings.size()));
        assertEquals(5, block.size());
        assertEquals(41, block.firstSeq());
        assertEquals(45, block.lastSeq());
        for (int i = 0; i < readings.size(); i++) {
            assertEquals(41 + i, block.seq(i));
            assertEquals(ids[i], block.channelId(i));
            assertEquals(readings.get(i).timestampMillis(), block.timestamp(i));
            assertEquals(Double.doubleToRawLongBits(readings.get(i).value()), Double.doubleToRawLongBits(block.value(i)));
            assertEquals(readings.get(i).qualityCode(), block.quality(i));
        }
    }

    @Test
    void a_reading_without_a_value_takes_one_byte_less_than_eight_and_comes_back_as_nan() throws Exception {
        List<NewReading> readings = List.of(new NewReading("a", 1000, Double.NaN, 5),
                new NewReading("a", 1000, Double.POSITIVE_INFINITY, 6), new NewReading("a", 1000, 1.0, 7));
        byte[] data = ReadingBlock.encode(readings, new int[] {1, 1, 1}, 0, 3);
        // layout byte, count, then per reading: id, time delta (the first: 1000 in two bytes), flags [, value]
        assertEquals(2 + (1 + 2 + 1) + (1 + 1 + 1) + (1 + 1 + 1 + 8), data.length);
        ReadingBlock block = ReadingBlock.decode(1, data);
        assertTrue(Double.isNaN(block.value(0)));
        assertTrue(Double.isNaN(block.value(1)), "not finite is stored as no value, as NULL was");
        assertEquals(1.0, block.value(2));
        assertArrayEquals(new int[] {5, 6, 7}, new int[] {block.quality(0), block.quality(1), block.quality(2)});
    }

    @Test
    void a_run_of_the_largest_size_fits_and_one_more_is_refused() throws Exception {
        List<NewReading> readings = new ArrayList<>();
        for (int i = 0; i <= ReadingBlock.MAX_READINGS; i++) {
            readings.add(new NewReading("ch", 1_796_000_000_000L + i * 100L, i * 0.1, 0));
        }
        int[] ids = new int[readings.size()];
        Arrays.fill(ids, 7);
        byte[] data = ReadingBlock.encode(readings, ids, 1, readings.size());
        assertEquals(ReadingBlock.MAX_READINGS, ReadingBlock.decode(1, data).size());
        // layout 1 + count 2; the first reading's time in full (6 bytes); then id 1 + time step (zigzag 200:
        // 2 bytes) + flags 1 + value 8
        assertEquals(3 + (1 + 6 + 1 + 8) + 12 * (ReadingBlock.MAX_READINGS - 1), data.length, "12 bytes per reading");
        assertThrows(IllegalArgumentException.class, () -> ReadingBlock.encode(readings, ids, 0, readings.size()));
        assertThrows(IllegalArgumentException.class, () -> ReadingBlock.encode(readings, ids, 3, 3));
    }

    @Test
    void a_damaged_blob_is_reported_with_its_sequence_number_and_what_is_wrong() {
        byte[] good = ReadingBlock.encode(List.of(new NewReading("a", 5, 2.5, 0), new NewReading("a", 6, 3.5, 0)),
                new int[] {1, 1}, 0, 2);
        assertDamaged(null, "missing");
        assertDamaged(new byte[] {1}, "too short");
        assertDamaged(new byte[] {2, 1, 1, 0, 0}, "unknown layout 2");
        assertDamaged(new byte[] {1, 0}, "count 0");
        assertDamaged(new byte[] {1, (byte) 0x81, 0x08}, "count 1025");
        assertDamaged(Arrays.copyOf(good, good.length - 3), "a value is cut");
        assertDamaged(Arrays.copyOf(good, good.length + 1), "1 bytes follow the last reading");
        byte[] endless = new byte[16];
        Arrays.fill(endless, (byte) 0xFF);
        endless[0] = 1;
        endless[1] = 1;
        assertDamaged(endless, "longer than 10 bytes");
        assertDamaged(new byte[] {1, 2, 1}, "ends early");
    }

    private static void assertDamaged(byte[] data, String expected) {
        ReadingBlock.DamagedBlockException e = assertThrows(ReadingBlock.DamagedBlockException.class,
                () -> ReadingBlock.decode(77, data));
        assertTrue(e.getMessage().contains("from seq 77") && e.getMessage().contains(expected), e.getMessage());
    }
}
