package com.oviron.callidus.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.hal.sim.FaultInjectingPort;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.diagnostics.AggregateLevel;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import com.oviron.callidus.store.fake.InMemoryDiagnosticsStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AggregatorTest {
    private static final List<ChannelInfo> CHANNELS = DiagnosticsSettings.channelsOf(Optional.empty());

    @Test
    void minute_hour_and_day_figures_match_what_the_readings_alone_give() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-21T23:57:30Z")); // crosses an hour and a day
        FaultInjectingPort board = new FaultInjectingPort(new SimulatedCallidusBoard(clock, 5));
        Aggregator aggregator = new Aggregator(CHANNELS);
        InMemoryDiagnosticsStore store = new InMemoryDiagnosticsStore();
        List<AggregatesFromReadings.R> seen = new ArrayList<>();
        for (int i = 0; i < 5 * 60 * 10; i++) {
            board.faults().setOverVoltage(i % 600 > 450);     // out of range for 15 s of every minute
            List<Reading> readings = new ArrayList<>(board.sample());
            if (i % 97 == 0) { // now and then a stale or errored reading, as a Modbus line gives
                readings.set(5, new Reading("water_pressure", readings.get(5).value(), clock.instant(), Quality.STALE));
                readings.set(6, new Reading("water_temperature", Double.NaN, clock.instant(), Quality.COMM_ERROR));
            }
            readings.forEach(r -> seen.add(new AggregatesFromReadings.R(r.channelId(), r.timestamp().toEpochMilli(),
                    r.value(), r.quality().code())));
            aggregator.add(readings);
            store.addMinutes(aggregator.closeBefore(clock.millis()));
            clock.advance(Duration.ofMillis(100 + (i % 7 == 0 ? 37 : 0)));
        }
        store.addMinutes(aggregator.closeAll());
        for (AggregateLevel level : AggregateLevel.values()) {
            Map<String, TreeMap<Long, AggregatesFromReadings.Figures>> expected =
                    AggregatesFromReadings.compute(seen, CHANNELS, level);
            List<AggregateRow> rows = store.aggregates(level, 0, Long.MAX_VALUE);
            assertEquals(expected.values().stream().mapToInt(Map::size).sum(), rows.size(), level.toString());
            for (AggregateRow row : rows) {
                AggregatesFromReadings.Figures f = expected.get(row.channel()).get(row.startMillis());
                String what = level + " " + row.channel() + " " + Instant.ofEpochMilli(row.startMillis());
                assertEquals(f.count(), row.count(), what);
                assertEquals(f.min(), row.min(), 0.0, what);
                assertEquals(f.max(), row.max(), 0.0, what);
                assertEquals(f.sum(), row.sum(), 1e-6, what);
                assertEquals(f.observed(), row.observedMillis(), what);
                assertEquals(f.outOfRange(), row.outOfRangeMillis(), what);
            }
        }
        long outOfRange = store.aggregates(AggregateLevel.DAY, 0, Long.MAX_VALUE).stream()
                .filter(r -> r.channel().equals("supply_voltage")).mapToLong(AggregateRow::outOfRangeMillis).sum();
        assertTrue(outOfRange > 60_000 && outOfRange < 90_000, "about 5 x 15 s out of range: " + outOfRange);
        assertEquals(2, store.aggregates(AggregateLevel.DAY, 0, Long.MAX_VALUE).stream()
                .filter(r -> r.channel().equals("supply_voltage")).count(), "the run crossed midnight");
    }
}
