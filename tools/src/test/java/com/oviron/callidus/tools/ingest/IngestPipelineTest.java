package com.oviron.callidus.tools.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.cloud.EventMessage;
import com.oviron.callidus.cloud.TelemetryBatch;
import com.oviron.callidus.cloud.TelemetryBatchCodec;
import com.oviron.callidus.cloud.Topics;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.tools.ingest.jdbc.JdbcReadingStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static byte[] batch(String device, long first, long last) {
        List<TelemetryRecord> r = new ArrayList<>();
        for (long s = first; s <= last; s++) {
            r.add(new TelemetryRecord(s, s % 2 == 0 ? "supply_voltage" : "water_pressure", 1_700_000_000_000L + s,
                    s % 7 == 0 ? Double.NaN : 24.0 + s / 1000.0, s % 7 == 0 ? 2 : 0));
        }
        return TelemetryBatchCodec.encode(TelemetryBatch.of(device, "telemetry", r, 1_700_000_001_000L));
    }

    @Test
    void writes_each_reading_once_acknowledges_after_the_write_and_drops_malformed_messages() throws Exception {
        AtomicInteger acks = new AtomicInteger();
        try (JdbcReadingStore store = JdbcReadingStore.open("jdbc:sqlite:" + dir.resolve("ingest.db"),
                Optional.empty(), Optional.empty());
             IngestPipeline pipeline = new IngestPipeline(store, 3)) {
            String t1 = new Topics("CAL-1").telemetry();
            pipeline.accept(new Delivery(t1, batch("CAL-1", 1, 100), acks::incrementAndGet));
            pipeline.accept(new Delivery(t1, batch("CAL-1", 1, 100), acks::incrementAndGet));   // resent copy
            pipeline.accept(new Delivery(t1, batch("CAL-1", 201, 300), acks::incrementAndGet)); // gap 101..200
            pipeline.accept(new Delivery(t1, batch("CAL-2", 1, 50), acks::incrementAndGet));    // wrong topic
            byte[] tampered = batch("CAL-1", 101, 200);
            tampered[tampered.length - 1] ^= 0x01;
            pipeline.accept(new Delivery(t1, tampered, acks::incrementAndGet));
            pipeline.accept(new Delivery(new Topics("CAL-1").events(), EventMessage.encode("CAL-1",
                    new StoredEvent(1, 1_700_000_000_000L, "store.corrupt", "alarm", "recovered")), acks::incrementAndGet));
            Await.until(() -> "all handled: " + pipeline.stats(), WAIT, () -> acks.get() == 6);

            IngestPipeline.Stats s = pipeline.stats();
            assertEquals(200, s.readingsWritten());
            assertEquals(100, s.duplicateReadings());
            assertEquals(2, s.malformed());
            assertEquals(1, s.eventsWritten());
            assertEquals(100, s.missing(), "this instance sees 101..200 missing");
            assertEquals(1, s.openGaps());
            assertTrue(pipeline.idle());

            List<ReadingStore.Gap> gaps = store.gaps();
            assertEquals(List.of(new ReadingStore.Gap("CAL-1", 101, 200)), gaps);

            pipeline.accept(new Delivery(t1, batch("CAL-1", 101, 200), acks::incrementAndGet));
            Await.until("gap closed", WAIT, () -> acks.get() == 7);
            assertEquals(List.of(), store.gaps());
            List<ReadingStore.StreamSummary> summary = store.summary();
            assertEquals(List.of(new ReadingStore.StreamSummary("CAL-1", 300, 1, 300, 1)), summary);
        }
    }

    @Test
    void a_second_instance_writing_the_same_readings_adds_nothing() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("shared.db");
        AtomicInteger acks = new AtomicInteger();
        try (JdbcReadingStore a = JdbcReadingStore.open(url, Optional.empty(), Optional.empty());
             JdbcReadingStore b = JdbcReadingStore.open(url, Optional.empty(), Optional.empty());
             IngestPipeline one = new IngestPipeline(a, 10);
             IngestPipeline two = new IngestPipeline(b, 10)) {
            String t = new Topics("CAL-9").telemetry();
            one.accept(new Delivery(t, batch("CAL-9", 1, 400), acks::incrementAndGet));
            Await.until("first written", WAIT, () -> acks.get() == 1);
            two.accept(new Delivery(t, batch("CAL-9", 301, 600), acks::incrementAndGet));
            Await.until("second written", WAIT, () -> acks.get() == 2);
            assertEquals(200, two.stats().readingsWritten());
            assertEquals(100, two.stats().duplicateReadings(), "the database skipped what the other instance wrote");
            assertEquals(List.of(new ReadingStore.StreamSummary("CAL-9", 600, 1, 600, 0)), a.summary());
        }
    }
}
