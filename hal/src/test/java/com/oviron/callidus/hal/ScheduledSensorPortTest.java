package com.oviron.callidus.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.hal.modbus.ModbusSensorPort;
import com.oviron.callidus.hal.modbus.RegisterChannel;
import com.oviron.callidus.hal.modbus.RegisterMap;
import com.oviron.callidus.hal.modbus.RegisterMapLoader;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The register map's periods and deadbands applied to a port that reads every channel on every sample. */
class ScheduledSensorPortTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-05T10:00:00Z"));

    /** Hands out the next scripted value of each channel on every sample. */
    private final class ScriptPort implements SensorPort {
        private final Map<String, List<Reading>> script = new java.util.LinkedHashMap<>();
        private int sample;

        ScriptPort channel(String id, Object... valuesOrQualities) {
            List<Reading> r = new ArrayList<>();
            for (Object v : valuesOrQualities) {
                r.add(v instanceof Quality q ? new Reading(id, Double.NaN, Instant.EPOCH, q)
                        : new Reading(id, ((Number) v).doubleValue(), Instant.EPOCH, Quality.GOOD));
            }
            script.put(id, r);
            return this;
        }

        @Override
        public List<Channel> channels() {
            return script.keySet().stream().map(id -> new Channel(id, id, "u")).toList();
        }

        @Override
        public List<Reading> sample() {
            List<Reading> out = new ArrayList<>();
            for (var e : script.entrySet()) {
                List<Reading> values = e.getValue();
                Reading r = values.get(Math.min(sample, values.size() - 1));
                out.add(new Reading(r.channelId(), r.value(), clock.instant(), r.quality()));
            }
            sample++;
            return out;
        }

        @Override
        public void close() {
        }
    }

    private static List<Double> values(List<Reading> readings, String channel) {
        return readings.stream().filter(r -> r.channelId().equals(channel)).map(Reading::value).toList();
    }

    private List<Reading> run(SensorPort port, int samples, Duration tick) throws HalException {
        List<Reading> all = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            all.addAll(port.sample());
            clock.advance(tick);
        }
        return all;
    }

    @Test
    void aChannelIsReadAtItsOwnPeriodAndAnUntimedOneOnEverySample() throws HalException {
        ScriptPort board = new ScriptPort().channel("fast", 1).channel("slow", 2).channel("untimed", 3);
        ChannelSchedule schedule = new ChannelSchedule(List.of(
                new ChannelSchedule.Timing("fast", Duration.ofMillis(100), 0),
                new ChannelSchedule.Timing("slow", Duration.ofSeconds(1), 0)));
        List<Reading> got = run(new ScheduledSensorPort(board, schedule, clock), 20, Duration.ofMillis(100));
        assertEquals(20, values(got, "fast").size());
        assertEquals(2, values(got, "slow").size(), "at 0 ms and at 1000 ms");
        assertEquals(20, values(got, "untimed").size());
    }

    @Test
    void aGoodValueWithinTheDeadbandOfTheLastReportedOneIsLeftOutButADriftIsNot() throws HalException {
        ScriptPort board = new ScriptPort().channel("p", 10.0, 10.04, 10.06, 10.08, 10.1, 10.2, 10.2);
        ChannelSchedule schedule = new ChannelSchedule(List.of(new ChannelSchedule.Timing("p", Duration.ZERO, 0.05)));
        List<Reading> got = run(new ScheduledSensorPort(board, schedule, clock), 7, Duration.ofMillis(100));
        // 10.04 and 10.08 are within 0.05 of the last reported (10.0, 10.06); 10.1 is not within 0.05 of 10.06?
        // |10.1 - 10.06| = 0.04: left out; 10.2 moved 0.14: reported; the second 10.2 did not move
        assertEquals(List.of(10.0, 10.06, 10.2), values(got, "p"));
    }

    @Test
    void everyChangeOfQualityIsReportedWhateverTheDeadband() throws HalException {
        ScriptPort board = new ScriptPort().channel("p", 10.0, Quality.STALE, Quality.STALE, 10.0, 10.01);
        ChannelSchedule schedule = new ChannelSchedule(List.of(new ChannelSchedule.Timing("p", Duration.ZERO, 0.5)));
        List<Reading> got = run(new ScheduledSensorPort(board, schedule, clock), 5, Duration.ofMillis(100));
        assertEquals(List.of(Quality.GOOD, Quality.STALE, Quality.STALE, Quality.GOOD),
                got.stream().map(Reading::quality).toList(), got.toString());
    }

    @Test
    void afterAFailedSampleTheFirstReadingOfEachChannelIsReportedWhateverItsDeadband() throws HalException {
        ScriptPort board = new ScriptPort().channel("p", 10.0);
        ChannelSchedule schedule = new ChannelSchedule(List.of(new ChannelSchedule.Timing("p", Duration.ZERO, 0.5)));
        boolean[] fail = {false};
        SensorPort failing = new SensorPort() {
            @Override
            public List<Channel> channels() {
                return board.channels();
            }

            @Override
            public List<Reading> sample() throws HalException {
                if (fail[0]) {
                    throw new HalException("device gone");
                }
                return board.sample();
            }

            @Override
            public void close() {
            }
        };
        ScheduledSensorPort port = new ScheduledSensorPort(failing, schedule, clock);
        assertEquals(1, port.sample().size());
        assertEquals(0, port.sample().size(), "unchanged");
        fail[0] = true;
        org.junit.jupiter.api.Assertions.assertThrows(HalException.class, port::sample);
        fail[0] = false;
        assertEquals(1, port.sample().size(), "read again after the failure: the cloud learns it is back");
        assertEquals(0, port.sample().size());
    }

    @Test
    void aClockThatSteppedBackRestartsTheScheduleInsteadOfStallingIt() throws HalException {
        ScriptPort board = new ScriptPort().channel("slow", 1);
        ScheduledSensorPort port = new ScheduledSensorPort(board,
                new ChannelSchedule(List.of(new ChannelSchedule.Timing("slow", Duration.ofMinutes(1), 0))), clock);
        assertEquals(1, port.sample().size());
        clock.advance(Duration.ofHours(-1));
        assertEquals(1, port.sample().size(), "read again at once, not in an hour");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, port.sample().size());
    }

    @Test
    void theSimulatedBoardUnderTheShippedMapSendsWhatAUnitWithThatMapSends() throws Exception {
        RegisterMap map = RegisterMapLoader.loadDefault();
        ScheduledSensorPort port = new ScheduledSensorPort(new SimulatedCallidusBoard(clock, 7),
                ModbusSensorPort.schedule(map), clock);
        List<Reading> got = run(port, 600, Duration.ofMillis(100)); // a minute at the agent's default 100 ms
        Map<String, Reading> last = new HashMap<>();
        for (RegisterChannel c : map.channels()) {
            String id = c.channel().id();
            long n = values(got, id).size();
            long most = 60_000 / c.samplePeriod().toMillis();
            assertTrue(n >= 1 && n <= most, id + ": " + n + " readings, at most " + most);
            if (c.deadband() > 0) {
                assertTrue(n < most, id + " has a deadband, so a steady minute sends fewer than " + most);
            }
        }
        for (Reading r : got) {
            Reading before = last.put(r.channelId(), r);
            double deadband = map.channels().stream().filter(c -> c.channel().id().equals(r.channelId()))
                    .findFirst().orElseThrow().deadband();
            if (before != null && deadband > 0) {
                assertTrue(Math.abs(r.value() - before.value()) > deadband, r + " moved no more than " + deadband);
            }
        }
    }
}
