package com.oviron.callidus.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.agent.Agent;
import com.oviron.callidus.agent.AgentConfig;
import com.oviron.callidus.agent.AgentConfigLoader;
import com.oviron.callidus.agent.report.AggregatesFromReadings;
import com.oviron.callidus.cloud.testing.Await;
import com.oviron.callidus.hal.sim.FaultInjectingPort;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.store.diagnostics.AggregateLevel;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import com.oviron.callidus.store.diagnostics.SqliteDiagnosticsStore;
import com.oviron.callidus.store.sqlite.SqliteTelemetryOutbox;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's stored aggregates against figures the test computes independently from the readings the agent
 * accepted (every reading stays in the outbox: the broker is unreachable), with the supply voltage out of range
 * part of the time.
 */
class AgentAggregatesIT {
    @TempDir
    Path dir;

    @Test
    void stored_minute_hour_and_day_figures_equal_those_computed_from_the_accepted_readings() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        AgentConfig config = AgentConfigLoader.parse("""
                {"device": {"id": "CAL-AGG-1"}, "hal": {"source": "simulator", "samplePeriod": "20ms"},
                 "store": {"path": "agent.db", "groupCommitDelay": "100ms"},
                 "mqtt": {"allowPlainTcp": true, "brokerUri": "tcp://127.0.0.1:%d", "reconnectMin": "1s"},
                 "shutdown": {"drainTimeout": "0ms"}}
                """.formatted(closedPort), dir);
        FaultInjectingPort board = new FaultInjectingPort(new SimulatedCallidusBoard(Clock.systemUTC(), 11));
        try (Agent agent = Agent.start(config, board, Clock.systemUTC())) {
            for (int phase = 0; phase < 4; phase++) {
                board.faults().setOverVoltage(phase % 2 == 1);
                long target = agent.status().samples() + 60;
                Await.until("samples of phase " + phase, java.time.Duration.ofSeconds(60),
                        () -> agent.status().samples() >= target);
            }
        }
        List<AggregatesFromReadings.R> readings = new ArrayList<>();
        try (SqliteTelemetryOutbox outbox = SqliteTelemetryOutbox.open(dir.resolve("agent.db"), Durability.FULL)) {
            assertEquals(0, outbox.acknowledgedSeq(), "nothing left for the cloud");
            for (TelemetryRecord r : outbox.readAfter(0, 1_000_000)) {
                readings.add(new AggregatesFromReadings.R(r.channelId(), r.timestampMillis(), r.value(), r.qualityCode()));
            }
        }
        assertTrue(readings.size() >= 240 * 9, "four phases of 9 channels: " + readings.size());
        List<ChannelInfo> channels = DiagnosticsSettings.channelsOf(Optional.empty());
        long outOfRange = 0;
        try (SqliteDiagnosticsStore store = SqliteDiagnosticsStore.open(dir.resolve("diagnostics.db"),
                Clock.systemUTC())) {
            for (AggregateLevel level : AggregateLevel.values()) {
                Map<String, TreeMap<Long, AggregatesFromReadings.Figures>> expected =
                        AggregatesFromReadings.compute(readings, channels, level);
                List<AggregateRow> rows = store.aggregates(level, 0, Long.MAX_VALUE);
                assertEquals(expected.values().stream().mapToInt(Map::size).sum(), rows.size(), level.toString());
                for (AggregateRow row : rows) {
                    AggregatesFromReadings.Figures f = expected.get(row.channel()).get(row.startMillis());
                    String what = level + " " + row.channel() + " " + row.startMillis();
                    assertEquals(f.count(), row.count(), what);
                    assertEquals(f.min(), row.min(), 0.0, what);
                    assertEquals(f.max(), row.max(), 0.0, what);
                    assertEquals(f.sum(), row.sum(), 1e-6, what);
                    assertEquals(f.observed(), row.observedMillis(), what);
                    assertEquals(f.outOfRange(), row.outOfRangeMillis(), what);
                    if (level == AggregateLevel.DAY && row.channel().equals("supply_voltage")) {
                        outOfRange += row.outOfRangeMillis();
                    }
                }
            }
        }
        assertTrue(outOfRange > 0, "the over-voltage phases are time out of range");
    }
}
