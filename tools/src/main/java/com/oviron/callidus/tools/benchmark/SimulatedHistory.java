package com.oviron.callidus.tools.benchmark;

import com.oviron.callidus.agent.alarms.AlarmBook;
import com.oviron.callidus.agent.alarms.AlarmEngine;
import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.agent.diagnostics.DiagnosticsSettings;
import com.oviron.callidus.agent.diagnostics.ErrorCatalog;
import com.oviron.callidus.agent.report.Aggregator;
import com.oviron.callidus.agent.usage.UsageCounters;
import com.oviron.callidus.hal.HalException;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.hal.fake.ManualClock;
import com.oviron.callidus.hal.sim.FaultInjectingPort;
import com.oviron.callidus.hal.sim.SimulatedCallidusBoard;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import com.oviron.callidus.store.fake.InMemoryTelemetryOutbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A unit's past, made fast: the simulated board sampled at a fixed period over days of simulated time, through
 * the agent's own aggregator, alarm engine and book, and usage counters, into a diagnostics store, as the
 * running agent would have filled it. Each day has its troubles (by day number from the start): a compressor
 * failing for a quarter of an hour (every 5th day), a supply surge (every 7th), a stuck water pressure sensor
 * (every 9th), a silent board (every 11th); the water pressure drifts down over the whole span (a filter
 * clogging). Technicians acknowledge every alarm at 08:00. For the report benchmark and its browser test.
 */
public final class SimulatedHistory {
    /** What was made. */
    public record Result(long cycles, long readings, long alarmEvents, Duration took) {
    }

    private SimulatedHistory() {
    }

    /**
     * @param settings the diagnostics settings of the simulated unit (channels, rules, usage)
     * @param store    where the history goes
     * @param from     the first sample's time
     * @param span     how much time to simulate
     * @param period   the sample period (the agent's default is 100 ms: 10 Hz)
     * @param progress told the simulated day number when each day starts
     */
    public static Result run(DiagnosticsSettings settings, DiagnosticsStore store, Instant from, Duration span,
                             Duration period, long seed, LongConsumer progress) throws StoreException {
        long started = System.nanoTime();
        ManualClock clock = new ManualClock(from);
        FaultInjectingPort board = new FaultInjectingPort(new SimulatedCallidusBoard(clock, seed));
        List<ChannelInfo> channels = settings.channels();
        InMemoryTelemetryOutbox events = new InMemoryTelemetryOutbox();
        AlarmBook book = new AlarmBook(store, events, ErrorCatalog.shipped(), channels, clock);
        AlarmEngine engine = new AlarmEngine(settings.rules(), book);
        UsageCounters usage = new UsageCounters(settings.usage(), store, () -> false, clock);
        Aggregator aggregator = new Aggregator(channels);
        List<AggregateRow> pending = new ArrayList<>();
        long end = from.plus(span).toEpochMilli();
        long cycles = 0;
        long readings = 0;
        long lastDay = -1;
        long lastHour = -1;
        long lastAck = -1;
        boolean stuckNow = false;
        while (clock.millis() < end) {
            long now = clock.millis();
            long day = (now - from.toEpochMilli()) / 86_400_000L;
            int minuteOfDay = (int) (Math.floorMod(now, 86_400_000L) / 60_000);
            if (day != lastDay) {
                progress.accept(day);
                lastDay = day;
                store.prune(now, settings.retention()); // as the agent does (hourly)
            }
            board.faults().setPressureDrop(day % 5 == 0 && minuteOfDay >= 9 * 60 + 30 && minuteOfDay < 9 * 60 + 45);
            board.faults().setOverVoltage(day % 7 == 0 && minuteOfDay == 14 * 60);
            boolean stuck = day % 9 == 0 && minuteOfDay >= 11 * 60 && minuteOfDay < 11 * 60 + 20;
            if (stuck != stuckNow) {
                if (stuck) {
                    board.faults().stick("water_pressure");
                } else {
                    board.faults().unstickAll();
                }
                stuckNow = stuck;
            }
            board.setSilent(day % 11 == 0 && minuteOfDay >= 3 * 60 && minuteOfDay < 3 * 60 + 2);
            Instant at = clock.instant();
            try {
                // the drift steps once a day, so that a stuck sensor stays stuck within its day
                List<Reading> sample = drift(board.sample(), day * 86_400_000.0 / span.toMillis());
                readings += sample.size();
                usage.onCycle(at, sample);
                engine.onCycle(at, sample, usage.inTreatment());
                aggregator.add(sample);
            } catch (HalException e) {
                usage.onFailedCycle(at);
                engine.onFailedCycle(at);
            }
            pending.addAll(aggregator.closeBefore(now));
            long hour = now / 3_600_000L;
            if (hour != lastHour) {
                store.addMinutes(pending);
                pending.clear();
                usage.flush(at);
                lastHour = hour;
            }
            if (minuteOfDay == 8 * 60 && day != lastAck) {
                book.acknowledge(Optional.empty(), "technician");
                lastAck = day;
            }
            cycles++;
            clock.advance(period);
        }
        pending.addAll(aggregator.closeAll());
        store.addMinutes(pending);
        usage.flush(clock.instant());
        return new Result(cycles, readings, events.pendingEvents(Integer.MAX_VALUE).size(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** The water pressure sinks by half a bar over the span, a step a day, as with a clogging filter. */
    private static List<Reading> drift(List<Reading> sample, double share) {
        List<Reading> out = new ArrayList<>(sample);
        for (int i = 0; i < out.size(); i++) {
            Reading r = out.get(i);
            if (r.channelId().equals("water_pressure")) {
                out.set(i, new Reading(r.channelId(), r.value() - 0.5 * share, r.timestamp(), r.quality()));
            }
        }
        return out;
    }
}
