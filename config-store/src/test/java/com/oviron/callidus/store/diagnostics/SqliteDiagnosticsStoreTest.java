package com.oviron.callidus.store.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDiagnosticsStoreTest extends DiagnosticsStoreContract {
    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);

    @Override
    protected DiagnosticsStore create() throws Exception {
        return SqliteDiagnosticsStore.open(dir.resolve("diagnostics.db"), clock);
    }

    @Test
    void alarms_counters_and_aggregates_survive_a_reopen() throws Exception {
        AlarmRecord a = store.insertAlarm(raised("main_air_pressure.low", T0, 1.9));
        store.addToCounters(Map.of("treatments", 7L), T0);
        store.addMinutes(List.of(new AggregateRow(AggregateLevel.MINUTE, "v", T0, 1, 2, 2, 2, 100, 0)));
        store.close();
        store = create();
        assertEquals(a, store.openAlarms().get(0));
        assertEquals(Map.of("treatments", 7L), store.counters());
        assertEquals(1, store.aggregates(AggregateLevel.DAY, 0, Long.MAX_VALUE).get(0).count());
        assertEquals(2, store.insertAlarm(raised("x", T0, 1)).id(), "numbers are not reused");
    }

    @Test
    void a_damaged_file_is_moved_aside_and_started_afresh() throws Exception {
        store.insertAlarm(new AlarmRecord(0, "r", "A121", "", true, false, T0, T0, OptionalLong.empty(), 1, 1, 1, 1,
                OptionalLong.empty(), "", OptionalLong.empty()));
        store.close();
        Path file = dir.resolve("diagnostics.db");
        Files.write(file, new byte[8192]);
        store = create();
        assertEquals(0, store.openAlarms().size());
        assertEquals("ok", store.quickCheck());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("diagnostics.db.corrupt-")).count());
        }
    }
}
