package com.oviron.callidus.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.fake.InMemoryDiagnosticsStore;
import com.oviron.callidus.store.fake.InMemoryTelemetryOutbox;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatTest {
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));
    private final InMemoryDiagnosticsStore store = new InMemoryDiagnosticsStore();
    private final InMemoryTelemetryOutbox outbox = new InMemoryTelemetryOutbox();
    private final List<AlarmRecord> open = List.of(
            alarm(1, "A121"), alarm(2, "A121"), alarm(3, "A010"));

    private static AlarmRecord alarm(long id, String code) {
        return new AlarmRecord(id, "r" + id, code, "", true, false, 1, 1, OptionalLong.empty(), 1, 1, 1, 1,
                OptionalLong.empty(), "", OptionalLong.empty());
    }

    private Heartbeat heartbeat() {
        return new Heartbeat(store, outbox, dir, () -> 4, () -> 7, () -> open, Duration.ofHours(24), clock);
    }

    private List<StoredEvent> beats() throws Exception {
        return outbox.pendingEvents(100).stream().filter(e -> e.kind().equals("heartbeat")).toList();
    }

    @Test
    void one_heartbeat_a_day_with_buffer_drops_reconnects_heap_disk_cpu_restart_reason_and_alarms_by_code()
            throws Exception {
        outbox.append(List.of(new NewReading("v", 1, 1.0, 0), new NewReading("v", 2, 1.0, 0)));
        Heartbeat h = heartbeat();
        h.started();
        h.check();
        assertEquals(1, beats().size(), "the first one at once");
        StoredEvent e = beats().get(0);
        assertEquals("audit", e.severity());
        JsonObject d = JsonParser.parseString(e.detail().orElseThrow()).getAsJsonObject();
        assertEquals(2, d.get("bufferedReadings").getAsLong());
        assertEquals(7, d.get("droppedInMemory").getAsLong());
        assertEquals(4, d.get("reconnects").getAsLong());
        assertTrue(d.get("heapUsedBytes").getAsLong() > 0 && d.get("diskFreeBytes").getAsLong() > 0);
        assertTrue(d.has("systemLoadAverage") && d.has("processCpuLoad"));
        assertEquals("first start", d.get("lastRestartReason").getAsString());
        assertEquals(2, d.getAsJsonObject("openAlarms").get("A121").getAsInt());
        assertEquals(1, d.getAsJsonObject("openAlarms").get("A010").getAsInt());
        clock.advance(Duration.ofHours(23).plusMinutes(59));
        h.check();
        assertEquals(1, beats().size());
        clock.advance(Duration.ofMinutes(1));
        h.check();
        assertEquals(2, beats().size(), "24 h after the last one");
    }

    @Test
    void the_interval_counts_across_restarts_and_the_next_start_knows_how_the_last_run_ended() throws Exception {
        Heartbeat first = heartbeat();
        first.started();
        first.check();
        clock.advance(Duration.ofHours(2));
        Heartbeat second = heartbeat();      // no clean stop: killed
        second.started();
        second.check();
        assertEquals(1, beats().size(), "not again after a restart");
        assertTrue(second.lastRestartReason().startsWith("unexpected"), second.lastRestartReason());
        second.stopped("the agent was stopped");
        Heartbeat third = heartbeat();
        third.started();
        assertEquals("clean stop (the agent was stopped)", third.lastRestartReason());
    }
}
