package com.oviron.callidus.agent.report;

import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.store.diagnostics.AggregateLevel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-channel, per-bucket figures computed from a list of readings alone, straight from the documented rules
 * (docs/diagnostics.md, "Aggregates"), for tests to compare with what the agent stored. Not shared with the
 * production code on purpose.
 */
public final class AggregatesFromReadings {
    /** One reading as a test sees it (from the telemetry outbox or a tap). */
    public record R(String channel, long t, double value, int quality) {
    }

    /** Figures of one bucket. */
    public record Figures(long count, double min, double max, double sum, long observed, long outOfRange) {
    }

    private AggregatesFromReadings() {
    }

    /** channel → bucket start → figures, for buckets of {@code level}; readings in the order they were taken. */
    public static Map<String, TreeMap<Long, Figures>> compute(List<R> readings, List<ChannelInfo> channels,
                                                              AggregateLevel level) {
        Map<String, ChannelInfo> info = new HashMap<>();
        channels.forEach(c -> info.put(c.id(), c));
        Map<String, TreeMap<Long, long[]>> counts = new HashMap<>();   // count, observed, outOfRange
        Map<String, TreeMap<Long, double[]>> values = new HashMap<>(); // min, max, sum
        Map<String, R> previous = new HashMap<>();
        for (R r : readings) {
            long bucket = level.bucketStart(r.t());
            long[] c = counts.computeIfAbsent(r.channel(), k -> new TreeMap<>()).computeIfAbsent(bucket, k -> new long[3]);
            double[] v = values.computeIfAbsent(r.channel(), k -> new TreeMap<>()).computeIfAbsent(bucket,
                    k -> new double[] {Double.NaN, Double.NaN, 0});
            R p = previous.get(r.channel());
            if (p != null && r.t() >= p.t() && fresh(p)) {
                long gap = Math.min(r.t() - p.t(), 10_000);
                c[1] += gap;
                if (out(p, info.get(p.channel()))) {
                    c[2] += gap;
                }
            }
            if (fresh(r)) {
                c[0]++;
                v[0] = Double.isNaN(v[0]) ? r.value() : Math.min(v[0], r.value());
                v[1] = Double.isNaN(v[1]) ? r.value() : Math.max(v[1], r.value());
                v[2] += r.value();
            }
            previous.put(r.channel(), r);
        }
        Map<String, TreeMap<Long, Figures>> out = new HashMap<>();
        counts.forEach((ch, buckets) -> buckets.forEach((b, c) -> {
            double[] v = values.get(ch).get(b);
            if (c[0] > 0 || c[1] > 0) {
                out.computeIfAbsent(ch, k -> new TreeMap<>()).put(b, new Figures(c[0], v[0], v[1], v[2], c[1], c[2]));
            }
        }));
        return out;
    }

    private static boolean fresh(R r) {
        return (r.quality() == 0 || r.quality() == 1) && Double.isFinite(r.value());
    }

    private static boolean out(R r, ChannelInfo c) {
        return r.quality() == 1 || c != null && (r.value() < c.validMin() || r.value() > c.validMax());
    }
}
