package com.oviron.callidus.tools.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.store.TelemetryRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodeCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static final TelemetryBatch BATCH = TelemetryBatch.of("CAL-1", "telemetry", List.of(
            new TelemetryRecord(5, "supply_voltage", 1_000, 24.1, 0),
            new TelemetryRecord(6, "water_pressure", 1_000, Double.NaN, 2)), 1_500);

    private int run(byte[] stdin, String... args) {
        return DecodeCommand.run(args, new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void prints_a_binary_batch_as_json() throws Exception {
        Path file = dir.resolve("batch.bin");
        Files.write(file, TelemetryBatchCodec.encode(BATCH));
        assertEquals(0, run(new byte[0], file.toString()));
        String json = out.toString(StandardCharsets.UTF_8).trim();
        assertEquals(new String(TelemetryBatchCodec.encodeJson(BATCH), StandardCharsets.UTF_8), json);
    }

    @Test
    void prints_csv_from_standard_input() {
        assertEquals(0, run(TelemetryBatchCodec.encode(BATCH), "--csv", "-"));
        assertEquals("seq,channel,timestamp_ms,value,quality\n5,supply_voltage,1000,24.1,0\n6,water_pressure,1000,,2\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_damaged_payload_gives_exit_1_with_the_reason() {
        byte[] payload = TelemetryBatchCodec.encode(BATCH);
        payload[payload.length - 1] ^= 0x40;
        assertEquals(1, run(payload, "-"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("malformed batch: "), err.toString());
    }

    @Test
    void usage_errors_give_exit_2() {
        assertEquals(2, run(new byte[0]));
        assertEquals(2, run(new byte[0], "a", "b"));
        assertEquals(2, run(new byte[0], dir.resolve("missing.bin").toString()));
    }
}
