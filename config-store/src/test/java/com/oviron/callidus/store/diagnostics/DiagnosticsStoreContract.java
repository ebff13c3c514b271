package com.oviron.callidus.store.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.store.StoreException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One set of tests for every {@link DiagnosticsStore}: the SQLite file and the in-memory fake. */
public abstract class DiagnosticsStoreContract {
    /** 2026-11-21T10:00:00Z, a whole hour. */
    protected static final long T0 = 1_795_341_600_000L;
    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;

    protected DiagnosticsStore store;

    protected abstract DiagnosticsStore create() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = create();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static AlarmRecord raised(String rule, long at, double value) {
        return new AlarmRecord(0, rule, "A121", "main_air_pressure", true, false, at, at, OptionalLong.empty(), 1,
                value, 4.0, value, OptionalLong.empty(), "", OptionalLong.empty());
    }

    @Test
    void an_alarm_gets_the_next_number_and_keeps_its_lifecycle_until_it_is_closed() throws Exception {
        AlarmRecord a = store.insertAlarm(raised("main_air_pressure.low", T0, 1.9));
        AlarmRecord b = store.insertAlarm(raised("water_pressure.low", T0 + 5, Double.NaN));
        assertEquals(1, a.id());
        assertEquals(2, b.id());
        assertTrue(Double.isNaN(store.alarm(2).orElseThrow().value()), "NaN survives as NaN");
        AlarmRecord cleared = new AlarmRecord(1, a.rule(), a.code(), a.channel(), false, true, a.firstAt(), T0 + 100,
                OptionalLong.of(T0 + 200), 2, 1.7, 4.0, 1.5, OptionalLong.of(T0 + 300), "console",
                OptionalLong.of(T0 + 300));
        store.updateAlarm(cleared);
        assertEquals(cleared, store.alarm(1).orElseThrow());
        assertEquals(List.of(2L), store.openAlarms().stream().map(AlarmRecord::id).toList());
        assertThrows(StoreException.class, () -> store.updateAlarm(a.withId(99)));
    }

    @Test
    void alarms_of_a_period_are_those_present_during_it() throws Exception {
        AlarmRecord before = store.insertAlarm(raised("r1", T0, 1));
        store.updateAlarm(new AlarmRecord(before.id(), "r1", "A121", "x", false, false, T0, T0,
                OptionalLong.of(T0 + 10 * MINUTE), 1, 1, 4, 1, OptionalLong.empty(), "", OptionalLong.empty()));
        AlarmRecord active = store.insertAlarm(raised("r2", T0 + 30 * MINUTE, 1));
        store.insertAlarm(raised("r3", T0 + 90 * MINUTE, 1));
        List<AlarmRecord> inside = store.alarms(T0 + 20 * MINUTE, T0 + 60 * MINUTE, 10);
        assertEquals(List.of(active.id()), inside.stream().map(AlarmRecord::id).toList(),
                "r1 was cleared before, r3 came after");
        assertEquals(3, store.alarms(T0, T0 + 120 * MINUTE, 10).size());
        assertEquals(1, store.alarms(T0, T0 + 120 * MINUTE, 1).size(), "limit");
    }

    @Test
    void minutes_add_up_into_their_hour_and_day_and_a_minute_written_twice_merges() throws Exception {
        store.addMinutes(List.of(
                new AggregateRow(AggregateLevel.MINUTE, "v", T0, 2, 24.0, 25.0, 49.0, 60_000, 0),
                new AggregateRow(AggregateLevel.MINUTE, "v", T0 + MINUTE, 1, 23.0, 23.0, 23.0, 60_000, 1_500)));
        store.addMinutes(List.of(new AggregateRow(AggregateLevel.MINUTE, "v", T0, 1, 31.0, 31.0, 31.0, 1_000, 1_000),
                new AggregateRow(AggregateLevel.MINUTE, "w", T0, 0, Double.NaN, Double.NaN, 0, 0, 0)));
        List<AggregateRow> minutes = store.aggregates(AggregateLevel.MINUTE, T0, T0 + 2 * MINUTE);
        assertEquals(new AggregateRow(AggregateLevel.MINUTE, "v", T0, 3, 24.0, 31.0, 80.0, 61_000, 1_000),
                minutes.get(0));
        assertEquals(3, minutes.size());
        AggregateRow hour = store.aggregates(AggregateLevel.HOUR, T0, T0 + 1).get(0);
        assertEquals(new AggregateRow(AggregateLevel.HOUR, "v", T0, 4, 23.0, 31.0, 103.0, 121_000, 2_500), hour);
        AggregateRow emptyHour = store.aggregates(AggregateLevel.HOUR, T0, T0 + 1).get(1);
        assertEquals("w", emptyHour.channel());
        assertTrue(Double.isNaN(emptyHour.min()) && Double.isNaN(emptyHour.mean()), "no readings: no extremes");
        long day = AggregateLevel.DAY.bucketStart(T0);
        assertEquals(4, store.aggregates(AggregateLevel.DAY, day, day + DAY).get(0).count());
        assertThrows(IllegalArgumentException.class, () -> store.addMinutes(List.of(hour)));
    }

    @Test
    void pruning_keeps_each_level_for_its_own_time() throws Exception {
        store.addMinutes(List.of(new AggregateRow(AggregateLevel.MINUTE, "v", T0, 1, 1, 1, 1, 100, 0)));
        DiagnosticsStore.Retention keep = new DiagnosticsStore.Retention(2 * DAY, 10 * DAY, 100 * DAY);
        store.prune(T0 + 3 * DAY, keep);
        assertTrue(store.aggregates(AggregateLevel.MINUTE, 0, Long.MAX_VALUE).isEmpty());
        assertEquals(1, store.aggregates(AggregateLevel.HOUR, 0, Long.MAX_VALUE).size());
        store.prune(T0 + 50 * DAY, keep);
        assertTrue(store.aggregates(AggregateLevel.HOUR, 0, Long.MAX_VALUE).isEmpty());
        assertEquals(1, store.aggregates(AggregateLevel.DAY, 0, Long.MAX_VALUE).size());
    }

    @Test
    void counters_add_up_and_remember_their_value_at_the_end_of_each_day() throws Exception {
        store.addToCounters(Map.of("treatments", 3L, "operating_ms", 1_000L), T0);
        store.addToCounters(Map.of("treatments", 2L), T0 + 1_000);
        store.addToCounters(Map.of("treatments", 4L), T0 + 2 * DAY);
        assertEquals(Map.of("treatments", 9L, "operating_ms", 1_000L), store.counters());
        long day0 = AggregateLevel.DAY.bucketStart(T0);
        assertEquals(Map.of("treatments", 5L, "operating_ms", 1_000L), store.countersAtEndOfDay(day0));
        assertEquals(Map.of("treatments", 5L, "operating_ms", 1_000L), store.countersAtEndOfDay(day0 + DAY),
                "a day without changes has the value of the day before");
        assertEquals(Map.of("treatments", 9L, "operating_ms", 1_000L), store.countersAtEndOfDay(day0 + 2 * DAY));
        assertTrue(store.countersAtEndOfDay(day0 - DAY).isEmpty());
        store.prune(T0 + 500 * DAY, new DiagnosticsStore.Retention(DAY, DAY, 10 * DAY));
        assertEquals(Map.of("treatments", 9L, "operating_ms", 1_000L), store.countersAtEndOfDay(day0 + 400 * DAY),
                "each counter's newest day value stays");
    }

    @Test
    void keeps_facts_of_its_own_and_passes_its_check() throws Exception {
        assertFalse(store.meta("lastHeartbeat").isPresent());
        store.putMeta("lastHeartbeat", "1");
        store.putMeta("lastHeartbeat", "2");
        assertEquals("2", store.meta("lastHeartbeat").orElseThrow());
        assertEquals("ok", store.quickCheck());
    }

    @Test
    void a_closed_store_refuses_work() {
        store.close();
        assertThrows(StoreException.class, () -> store.counters());
    }
}
