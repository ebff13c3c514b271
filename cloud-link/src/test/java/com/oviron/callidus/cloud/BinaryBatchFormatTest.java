package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.TelemetryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BinaryBatchFormatTest {

    /** A batch as the agent sends it: 9 channels sampled together, values with 3 decimals, noise. */
    static TelemetryBatch realistic(int samples, long seed) {
        Random random = new Random(seed);
        double[] level = {24.1, 0.0, 1.4, 5.8, 2.8, 2.2, 36.9, -18.0, 41.5};
        List<TelemetryRecord> rows = new ArrayList<>();
        long seq = 1_000;
        long ts = 1_763_712_000_000L;
        for (int s = 0; s < samples; s++) {
            for (int c = 0; c < level.length; c++) {
                level[c] += random.nextGaussian() * 0.02;
                double value = Math.round(level[c] * 1000) / 1000.0;
                rows.add(new TelemetryRecord(seq++, "channel_" + c, ts, value, 0));
            }
            ts += 100;
        }
        return TelemetryBatch.of("CAL-000123", "telemetry", rows, ts);
    }

    private static void assertSameReadings(TelemetryBatch expected, TelemetryBatch actual) {
        assertEquals(expected.deviceId(), actual.deviceId());
        assertEquals(expected.stream(), actual.stream());
        assertEquals(expected.firstSeq(), actual.firstSeq());
        assertEquals(expected.lastSeq(), actual.lastSeq());
        assertEquals(expected.sentAtMillis(), actual.sentAtMillis());
        assertEquals(expected.readings().size(), actual.readings().size());
        for (int i = 0; i < expected.readings().size(); i++) {
            TelemetryRecord e = expected.readings().get(i);
            TelemetryRecord a = actual.readings().get(i);
            assertEquals(e.seq(), a.seq());
            assertEquals(e.channelId(), a.channelId());
            assertEquals(e.timestampMillis(), a.timestampMillis());
            assertEquals(e.qualityCode(), a.qualityCode());
            // bit-exact, NaN included (Double.equals compares bits)
            assertEquals(Double.valueOf(e.value()), Double.valueOf(a.value()), "reading " + e.seq());
        }
    }

    @Test
    void realistic_telemetry_takes_under_two_bytes_per_reading() throws Exception {
        TelemetryBatch batch = realistic(111, 1); // 999 readings
        byte[] payload = BinaryBatchFormat.encode(batch);
        double perReading = (double) payload.length / batch.readings().size();
        assertTrue(perReading < 2.0, perReading + " bytes per reading");
        assertSameReadings(batch, BinaryBatchFormat.decode(payload));
    }

    @Property(tries = 300)
    void any_batch_survives_encoding_bit_for_bit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int size) {
        Random random = new Random(seed);
        List<TelemetryRecord> rows = new ArrayList<>();
        long seq = 1 + random.nextInt(1_000_000);
        long ts = random.nextLong() >> 20;
        for (int i = 0; i < size; i++) {
            seq += 1 + (random.nextInt(10) == 0 ? random.nextInt(1000) : 0); // gaps, as after retention
            ts += random.nextInt(5) == 0 ? -random.nextInt(1000) : random.nextInt(200); // clock steps back too
            double value = switch (random.nextInt(6)) {
                case 0 -> Double.NaN;
                case 1 -> random.nextDouble() * 1e6 - 5e5; // no short decimal form: sent raw
                case 2 -> Math.round(random.nextGaussian() * 1e5) / 1000.0;
                case 3 -> -0.0;
                case 4 -> Double.MAX_VALUE;
                default -> random.nextInt(100);
            };
            int quality = Double.isNaN(value) ? 2 + random.nextInt(2) : random.nextInt(2);
            rows.add(new TelemetryRecord(seq, "c" + random.nextInt(12), ts, value, quality));
        }
        TelemetryBatch batch = TelemetryBatch.of("CAL-" + random.nextInt(1000), "telemetry", rows, ts);
        try {
            assertSameReadings(batch, BinaryBatchFormat.decode(BinaryBatchFormat.encode(batch)));
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 500)
    void a_damaged_payload_is_refused_never_misread(@ForAll @IntRange(min = 0, max = 100_000) int where,
                                                    @ForAll @IntRange(min = 1, max = 255) int xor) {
        TelemetryBatch batch = realistic(20, 3);
        byte[] payload = BinaryBatchFormat.encode(batch);
        int at = where % payload.length;
        payload[at] ^= (byte) xor;
        TelemetryBatch decoded;
        try {
            decoded = BinaryBatchFormat.decode(payload);
        } catch (MalformedMessageException expected) {
            return; // refused with a reason: the hash covers the header and the decompressed body
        }
        // deflate has bits that do not matter (padding of the last byte, ...): a change there decompresses to
        // the very same body, so what is accepted must be exactly what was sent
        assertSameReadings(batch, decoded);
    }

    @Test
    void refuses_truncated_payloads_and_zip_bombs() {
        byte[] payload = BinaryBatchFormat.encode(realistic(5, 1));
        for (int cut = 0; cut < payload.length; cut += 7) {
            byte[] shorter = java.util.Arrays.copyOf(payload, cut);
            assertThrows(MalformedMessageException.class, () -> TelemetryBatchCodec.decode(shorter), "cut " + cut);
        }
        // a tiny deflate stream that would inflate to 64 MB of zeros
        java.util.zip.Deflater d = new java.util.zip.Deflater(9);
        d.setInput(new byte[64 * 1024 * 1024]);
        d.finish();
        byte[] bomb = new byte[200_000];
        int n = d.deflate(bomb);
        d.end();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 2 + 1 + 8 + 8 + 4 + 8 + 32 + n);
        b.put((byte) 'C').put((byte) 'T').put((byte) 2).put((byte) 1).put((byte) 1).put((byte) 'X').put((byte) 0)
                .putLong(1).putLong(1).putInt(1).putLong(0).put(new byte[32]).put(bomb, 0, n);
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> BinaryBatchFormat.decode(b.array()));
        assertTrue(e.getMessage().contains("inflates beyond"), e.getMessage());
    }
}
