package com.oviron.callidus.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.TelemetryRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TelemetryBatchCodecTest {
    private static final TelemetryBatch BATCH = TelemetryBatch.of("CAL-1", "telemetry", List.of(
            new TelemetryRecord(41, "supply_voltage", 1_763_712_000_000L, 24.125, 0),
            new TelemetryRecord(42, "main_air_pressure", 1_763_712_000_000L, Double.NaN, 2)), 1_763_712_000_500L);

    @Test
    void still_reads_format_1_json_from_older_agents() throws Exception {
        TelemetryBatch back = TelemetryBatchCodec.decode(TelemetryBatchCodec.encodeJson(BATCH));
        assertEquals(BATCH.readings().get(0), back.readings().get(0));
        assertEquals(42, back.lastSeq());
    }

    @Test
    void round_trips_a_batch_including_a_missing_value() throws Exception {
        TelemetryBatch back = TelemetryBatchCodec.decode(TelemetryBatchCodec.encode(BATCH));
        assertEquals(BATCH.firstSeq(), back.firstSeq());
        assertEquals(BATCH.lastSeq(), back.lastSeq());
        assertEquals(BATCH.sentAtMillis(), back.sentAtMillis());
        assertEquals(BATCH.readings().get(0), back.readings().get(0));
        assertTrue(Double.isNaN(back.readings().get(1).value()));
        assertEquals(2, back.readings().get(1).qualityCode());
    }

    @Test
    void writes_the_documented_field_names() {
        String json = new String(TelemetryBatchCodec.encodeJson(BATCH), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"v\":1,\"device\":\"CAL-1\",\"stream\":\"telemetry\",\"first\":41,\"last\":42,"
                + "\"sentAt\":1763712000500,\"readings\":[{\"s\":41,\"c\":\"supply_voltage\",\"t\":1763712000000,"
                + "\"v\":24.125,\"q\":0}"), json);
        assertTrue(json.contains("\"v\":null"), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[]",
        "not json at all {",
        "{\"v\":2,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":1,\"last\":1,\"sentAt\":0,\"readings\":[]}",
        "{\"v\":1,\"stream\":\"telemetry\",\"first\":1,\"last\":1,\"sentAt\":0,\"readings\":[]}",
        "{\"v\":1,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":1,\"last\":1,\"sentAt\":0,\"readings\":[]}",
        "{\"v\":1,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":1,\"last\":1,\"sentAt\":0,\"readings\":{}}",
        "{\"v\":1,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":1,\"last\":2,\"sentAt\":0,"
            + "\"readings\":[{\"s\":1,\"c\":\"a\",\"t\":0,\"v\":1,\"q\":0}]}",
        "{\"v\":1,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":1,\"last\":1,\"sentAt\":0,"
            + "\"readings\":[{\"s\":1,\"c\":\"a\",\"t\":0,\"v\":\"high\",\"q\":0}]}",
        "{\"v\":1,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":1,\"last\":1,\"sentAt\":0,"
            + "\"readings\":[{\"s\":1.5,\"c\":\"a\",\"t\":0,\"v\":1,\"q\":0}]}",
        "{\"v\":1,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":0,\"last\":0,\"sentAt\":0,"
            + "\"readings\":[{\"s\":0,\"c\":\"a\",\"t\":0,\"v\":1,\"q\":0}]}",
        "{\"v\":1,\"device\":\"d\",\"stream\":\"telemetry\",\"first\":2,\"last\":1,\"sentAt\":0,"
            + "\"readings\":[{\"s\":2,\"c\":\"a\",\"t\":0,\"v\":1,\"q\":0},{\"s\":1,\"c\":\"a\",\"t\":0,\"v\":1,\"q\":0}]}"
    })
    void rejects_malformed_batches_with_a_reason(String payload) {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> TelemetryBatchCodec.decode(payload.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void rejects_payloads_above_the_broker_limit() {
        byte[] big = new byte[TelemetryBatchCodec.MAX_PAYLOAD_BYTES + 1];
        assertThrows(MalformedMessageException.class, () -> TelemetryBatchCodec.decode(big));
    }
}
