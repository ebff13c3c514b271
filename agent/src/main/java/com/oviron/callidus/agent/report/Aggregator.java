package com.oviron.callidus.agent.report;

import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.hal.Quality;
import com.oviron.callidus.hal.Reading;
import com.oviron.callidus.store.diagnostics.AggregateLevel;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds every reading into per-channel, per-minute figures (count, min, max, sum, observed time, time out of
 * range); a minute is handed over once the clock has passed it (the store merges it into its hour and day).
 * The rules, which a test recomputes from the readings alone:
 * <ul>
 *   <li>a reading is <em>fresh</em> when its quality is good or out of range and its value finite; only fresh
 *       readings count into {@code count}, {@code min}, {@code max} and {@code sum};</li>
 *   <li>a reading is <em>out of range</em> when its quality says so or its value lies outside the channel's
 *       valid range;</li>
 *   <li>each reading adds the time since the channel's previous reading (at most {@link #MAX_INTERVAL_MS})
 *       to the minute it falls in: to {@code observed} when that previous reading was fresh, and also to
 *       {@code outOfRange} when it was out of range.</li>
 * </ul>
 * Used on one thread.
 */
public final class Aggregator {
    /** A gap between two readings of a channel counts at most this long (the sampler may have stopped). */
    public static final long MAX_INTERVAL_MS = 10_000;

    private final Map<String, ChannelInfo> channels;
    private final Map<String, Acc> current = new HashMap<>();
    private final Map<String, long[]> previous = new HashMap<>(); // channel → {t, fresh, out}
    private final List<AggregateRow> closed = new ArrayList<>();

    public Aggregator(List<ChannelInfo> channels) {
        this.channels = new HashMap<>();
        channels.forEach(c -> this.channels.put(c.id(), c));
    }

    /** Takes one cycle's readings. */
    public void add(List<Reading> readings) {
        for (Reading r : readings) {
            long t = r.timestamp().toEpochMilli();
            long minute = AggregateLevel.MINUTE.bucketStart(t);
            Acc acc = current.get(r.channelId());
            if (acc == null || acc.minute != minute) {
                if (acc != null) {
                    closed.add(acc.row(r.channelId()));
                }
                acc = new Acc(minute);
                current.put(r.channelId(), acc);
            }
            boolean fresh = (r.quality() == Quality.GOOD || r.quality() == Quality.OUT_OF_RANGE)
                    && Double.isFinite(r.value());
            ChannelInfo info = channels.get(r.channelId());
            boolean out = r.quality() == Quality.OUT_OF_RANGE
                    || fresh && info != null && !info.inRange(r.value());
            long[] before = previous.get(r.channelId());
            if (before != null && t >= before[0]) {
                long interval = Math.min(t - before[0], MAX_INTERVAL_MS);
                if (before[1] == 1) {
                    acc.observed += interval;
                    if (before[2] == 1) {
                        acc.outOfRange += interval;
                    }
                }
            }
            long[] now = before != null ? before : new long[3];
            now[0] = t;
            now[1] = fresh ? 1 : 0;
            now[2] = fresh && out ? 1 : 0;
            if (before == null) {
                previous.put(r.channelId(), now);
            }
            if (fresh) {
                acc.count++;
                acc.sum += r.value();
                acc.min = Math.min(acc.min, r.value());
                acc.max = Math.max(acc.max, r.value());
            }
        }
    }

    /** The minutes that ended before {@code epochMillis}'s minute (handed over once; the caller stores them). */
    public List<AggregateRow> closeBefore(long epochMillis) {
        long minute = AggregateLevel.MINUTE.bucketStart(epochMillis);
        current.entrySet().removeIf(e -> {
            if (e.getValue().minute < minute) {
                closed.add(e.getValue().row(e.getKey()));
                return true;
            }
            return false;
        });
        return drain();
    }

    /**
     * The minutes still running, as they stand now (not handed over: a report of the last minutes shows them
     * before they are stored).
     */
    public List<AggregateRow> running() {
        List<AggregateRow> out = new ArrayList<>();
        current.forEach((channel, acc) -> out.add(acc.row(channel)));
        out.removeIf(r -> r.count() == 0 && r.observedMillis() == 0);
        return out;
    }

    /** Every minute, also the one still running (at shutdown; a minute written twice adds up in the store). */
    public List<AggregateRow> closeAll() {
        current.forEach((channel, acc) -> closed.add(acc.row(channel)));
        current.clear();
        return drain();
    }

    private List<AggregateRow> drain() {
        List<AggregateRow> out = new ArrayList<>(closed);
        closed.clear();
        out.removeIf(r -> r.count() == 0 && r.observedMillis() == 0);
        return out;
    }

    private static final class Acc {
        final long minute;
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        long observed;
        long outOfRange;

        Acc(long minute) {
            this.minute = minute;
        }

        AggregateRow row(String channel) {
            return new AggregateRow(AggregateLevel.MINUTE, channel, minute, count, count == 0 ? Double.NaN : min,
                    count == 0 ? Double.NaN : max, sum, observed, outOfRange);
        }
    }
}
