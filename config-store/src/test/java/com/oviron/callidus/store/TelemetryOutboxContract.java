package com.oviron.callidus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link TelemetryOutbox} must do; run against the fake and against SQLite. */
public abstract class TelemetryOutboxContract {
    protected TelemetryOutbox outbox;

    protected abstract TelemetryOutbox create() throws Exception;

    @BeforeEach
    void open() throws Exception {
        outbox = create();
    }

    @AfterEach
    void closeOutbox() {
        outbox.close();
    }

    /** Timestamps near now: the store's retention drops readings older than its maximum age. */
    protected static final long NOW = System.currentTimeMillis();

    protected static List<NewReading> readings(int count, long firstTs) {
        List<NewReading> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new NewReading("ch" + (i % 3), NOW + firstTs + i, i * 0.5, 0));
        }
        return out;
    }

    @Test
    void gives_consecutive_sequence_numbers_starting_at_one() throws Exception {
        assertEquals(0, outbox.lastSeq());
        assertEquals(3, outbox.append(readings(3, 1000)));
        assertEquals(5, outbox.append(readings(2, 2000)));
        List<TelemetryRecord> all = outbox.readAfter(0, 100);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), all.stream().map(TelemetryRecord::seq).toList());
        assertEquals(new TelemetryRecord(4, "ch0", NOW + 2000, 0.0, 0), all.get(3));
        assertEquals(new TelemetryRecord(2, "ch1", NOW + 1001, 0.5, 0), all.get(1));
    }

    @Test
    void reads_in_sequence_order_from_a_position_with_a_limit() throws Exception {
        outbox.append(readings(10, 0));
        List<TelemetryRecord> page = outbox.readAfter(4, 3);
        assertEquals(List.of(5L, 6L, 7L), page.stream().map(TelemetryRecord::seq).toList());
        assertTrue(outbox.readAfter(10, 5).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> outbox.readAfter(0, 0));
    }

    @Test
    void acknowledged_readings_leave_and_the_cursor_never_goes_back() throws Exception {
        outbox.append(readings(10, 0));
        outbox.acknowledge(6);
        assertEquals(6, outbox.acknowledgedSeq());
        assertEquals(4, outbox.pendingCount());
        assertEquals(7, outbox.readAfter(0, 100).get(0).seq());
        outbox.acknowledge(3);
        assertEquals(6, outbox.acknowledgedSeq());
        assertEquals(7, outbox.readAfter(0, 100).get(0).seq());
    }

    @Test
    void refuses_to_acknowledge_what_was_never_accepted() throws Exception {
        outbox.append(readings(2, 0));
        assertThrows(IllegalArgumentException.class, () -> outbox.acknowledge(3));
        assertEquals(0, outbox.acknowledgedSeq());
    }

    @Test
    void sequence_numbers_are_not_reused_after_everything_is_acknowledged() throws Exception {
        outbox.append(readings(4, 0));
        outbox.acknowledge(4);
        assertEquals(0, outbox.pendingCount());
        assertEquals(5, outbox.append(readings(1, 10)));
    }

    @Test
    void an_empty_append_changes_nothing() throws Exception {
        outbox.append(readings(2, 0));
        assertEquals(2, outbox.append(List.of()));
        assertEquals(2, outbox.lastSeq());
    }

    @Test
    void a_missing_value_comes_back_as_nan_with_its_quality() throws Exception {
        outbox.append(List.of(new NewReading("ch0", 5, Double.NaN, 2)));
        TelemetryRecord r = outbox.readAfter(0, 1).get(0);
        assertTrue(Double.isNaN(r.value()));
        assertEquals(2, r.qualityCode());
    }

    @Test
    void events_have_their_own_sequence_and_leave_only_when_acknowledged() throws Exception {
        outbox.append(readings(5, 0));
        assertEquals(1, outbox.appendEvent(NOW, "store.corrupt", "alarm", "moved aside"));
        assertEquals(2, outbox.appendEvent(NOW + 1, "config.changed", "audit", "by the field console"));
        List<StoredEvent> pending = outbox.pendingEvents(10);
        assertEquals(List.of(1L, 2L), pending.stream().map(StoredEvent::seq).toList());
        assertEquals(new StoredEvent(1, NOW, "store.corrupt", "alarm", "moved aside"), pending.get(0));
        outbox.acknowledgeEvents(1);
        assertEquals(List.of(2L), outbox.pendingEvents(10).stream().map(StoredEvent::seq).toList());
        assertEquals(3, outbox.appendEvent(NOW + 2, "x", "audit", "y"), "never reused");
        assertEquals(5, outbox.lastSeq(), "telemetry's sequence is separate");
    }

    @Test
    void an_event_keeps_its_detail_and_a_bad_detail_is_refused_before_anything_is_stored() throws Exception {
        String detail = "{\"code\":\"A121\",\"value\":1.9}";
        assertEquals(1, outbox.appendEvent(NOW, "alarm.raised", "alarm", "A121 raised", java.util.Optional.of(detail)));
        assertEquals(2, outbox.appendEvent(NOW, "x", "audit", "no detail"));
        List<StoredEvent> pending = outbox.pendingEvents(10);
        assertEquals(java.util.Optional.of(detail), pending.get(0).detail());
        assertEquals(java.util.Optional.empty(), pending.get(1).detail());
        assertThrows(IllegalArgumentException.class, () -> outbox.appendEvent(NOW, "x", "audit", "m",
                java.util.Optional.of("not an object")));
        assertEquals(2, outbox.pendingEvents(10).size(), "nothing stored for the refused one");
    }

    @Test
    void a_closed_outbox_refuses_work() {
        outbox.close();
        assertThrows(StoreException.class, () -> outbox.append(readings(1, 0)));
    }

    @Test
    void summarizes_a_period_per_channel_and_bucket_also_after_the_readings_were_acknowledged() throws Exception {
        try (TelemetryOutbox outbox = create()) {
            long t0 = 1_700_000_000_000L / 3_600_000 * 3_600_000; // a whole hour
            outbox.append(List.of(
                    new NewReading("supply.voltage", t0 + 1_000, 24.0, 0),
                    new NewReading("supply.voltage", t0 + 61_000, 26.0, 0),
                    new NewReading("air.pressure", t0 + 2_000, 5.5, 0),
                    new NewReading("supply.voltage", t0 + 3_600_000, 30.0, 0),
                    new NewReading("supply.voltage", t0 + 7_200_000, 99.0, 0)));
            outbox.acknowledge(3); // the first three leave the raw table
            List<PeriodSummary> report = outbox.summarize(t0, t0 + 7_200_000, 3_600_000);
            assertEquals(List.of(
                    new PeriodSummary("air.pressure", t0, 1, 5.5, 5.5, 5.5),
                    new PeriodSummary("supply.voltage", t0, 2, 24.0, 26.0, 25.0),
                    new PeriodSummary("supply.voltage", t0 + 3_600_000, 1, 30.0, 30.0, 30.0)), report);
            assertThrows(IllegalArgumentException.class, () -> outbox.summarize(t0, t0 + 1, 1_000));
        }
    }
}
