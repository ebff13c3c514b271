package com.oviron.callidus.agent.alarms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.fake.InMemoryDiagnosticsStore;
import com.oviron.callidus.store.fake.InMemoryTelemetryOutbox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlarmBookTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final InMemoryDiagnosticsStore store = new InMemoryDiagnosticsStore();
    private final InMemoryTelemetryOutbox events = new InMemoryTelemetryOutbox();
    private final AlarmRule lowAir = new AlarmRule.Threshold("main_air_pressure.low", "A121", "main_air_pressure",
            AlarmRule.Side.BELOW, 4.0, 0.3, Duration.ofSeconds(10));

    private AlarmBook book() {
        return new AlarmBook(store, events, ErrorCatalog.shipped(), DiagnosticsSettings.channelsOf(Optional.empty()),
                clock);
    }

    private List<StoredEvent> sent() throws Exception {
        return events.pendingEvents(100);
    }

    private static JsonObject detail(StoredEvent e) {
        return JsonParser.parseString(e.detail().orElseThrow()).getAsJsonObject();
    }

    @Test
    void a_raised_alarm_is_stored_and_sent_as_an_event_with_its_code_values_and_remedy_in_both_languages()
            throws Exception {
        AlarmBook book = book();
        book.raised(lowAir, clock.instant(), 1.93, 4.0);
        AlarmRecord a = store.openAlarms().get(0);
        assertEquals(1, a.id());
        assertTrue(a.active() && !a.acknowledged());
        StoredEvent e = sent().get(0);
        assertEquals("alarm.raised", e.kind());
        assertEquals("alarm", e.severity());
        assertTrue(e.message().startsWith("A121 Main air pressure too low (main_air_pressure): raised:"
                + " main_air_pressure 1.93 bar, below 4 bar for 10 s. Remedy: Check that the compressor"), e.message());
        assertTrue(e.message().endsWith("open the main air valve fully."), e.message());
        JsonObject d = detail(e);
        assertEquals("A121", d.get("code").getAsString());
        assertEquals(1.93, d.get("value").getAsDouble());
        assertEquals(4.0, d.get("limit").getAsDouble());
        assertEquals("bar", d.get("unit").getAsString());
        assertTrue(d.getAsJsonObject("text").getAsJsonObject("bg").get("remedy").getAsString().contains("компресорът работи"));
    }

    @Test
    void cleared_then_raised_again_before_it_is_acknowledged_is_the_same_alarm_counted_twice() throws Exception {
        AlarmBook book = book();
        book.raised(lowAir, clock.instant(), 1.9, 4.0);
        clock.advance(Duration.ofSeconds(30));
        book.cleared(lowAir, clock.instant());
        clock.advance(Duration.ofSeconds(30));
        book.raised(lowAir, clock.instant(), 2.5, 4.0);
        assertEquals(1, store.openAlarms().size());
        AlarmRecord a = store.openAlarms().get(0);
        assertEquals(2, a.count());
        assertEquals(clock.millis(), a.lastAt());
        assertTrue(a.firstAt() < a.lastAt());
        assertEquals(List.of("alarm.raised", "alarm.cleared", "alarm.raised"), sent().stream().map(StoredEvent::kind)
                .toList());
        assertEquals("audit", sent().get(1).severity());
    }

    @Test
    void an_alarm_closes_once_it_is_both_cleared_and_acknowledged_in_either_order() throws Exception {
        AlarmBook book = book();
        AlarmRule highV = new AlarmRule.Threshold("supply_voltage.high", "A101", "supply_voltage",
                AlarmRule.Side.ABOVE, 28, 0.5, Duration.ZERO);
        book.raised(lowAir, clock.instant(), 1.9, 4.0);
        book.raised(highV, clock.instant(), 31.2, 28);
        book.cleared(lowAir, clock.instant());
        List<AlarmRecord> acked = book.acknowledge(Optional.empty(), "technician Ivanov");
        assertEquals(2, acked.size());
        assertEquals(List.of("supply_voltage.high"), book.open().stream().map(AlarmRecord::rule).toList(),
                "the cleared one closed, the active one stays until it clears");
        assertEquals("technician Ivanov", store.alarm(2).orElseThrow().ackBy());
        book.cleared(highV, clock.instant());
        assertTrue(book.open().isEmpty());
        assertTrue(store.alarm(2).orElseThrow().closedAt().isPresent());
        assertEquals(List.of("alarm.raised", "alarm.raised", "alarm.cleared", "alarm.acknowledged", "alarm.acknowledged",
                "alarm.cleared"), sent().stream().map(StoredEvent::kind).toList());
        assertTrue(book.acknowledge(Optional.empty(), "console").isEmpty(), "nothing left to acknowledge");
        assertThrows(IllegalArgumentException.class, () -> book.acknowledge(Optional.of(1L), "console"),
                "a closed alarm is not open any more");
    }

    @Test
    void open_alarms_survive_a_restart_and_one_whose_rule_is_gone_is_cleared() throws Exception {
        AlarmRule stuck = new AlarmRule.Stuck("water_pressure.stuck", "A004", "water_pressure", Duration.ofMinutes(2),
                0, true);
        AlarmBook before = book();
        before.raised(lowAir, clock.instant(), 1.9, 4.0);
        before.raised(stuck, clock.instant(), 2.2, 0);
        AlarmBook after = book();
        Set<String> active = after.restore(Set.of("main_air_pressure.low"));
        assertEquals(Set.of("main_air_pressure.low"), active);
        assertEquals(2, after.open().size(), "the stuck alarm is open (cleared, not acknowledged)");
        assertFalse(after.open().get(1).active());
        assertEquals("alarm.cleared", sent().get(sent().size() - 1).kind());
    }

    @Test
    void a_store_that_cannot_be_written_does_not_lose_the_alarm_in_memory() throws Exception {
        AlarmBook book = book();
        store.failNextWrites(1);
        book.raised(lowAir, clock.instant(), 1.9, 4.0);
        assertEquals(1, book.open().size());
        assertTrue(store.openAlarms().isEmpty());
        assertEquals("alarm.raised", sent().get(0).kind(), "the cloud still hears of it");
        book.cleared(lowAir, clock.instant());
        assertFalse(book.open().get(0).active());
    }
}
