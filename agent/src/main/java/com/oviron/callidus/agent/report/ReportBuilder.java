package com.oviron.callidus.agent.report;

import com.oviron.callidus.agent.diagnostics.ChannelInfo;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.diagnostics.AggregateLevel;
import com.oviron.callidus.store.diagnostics.AggregateRow;
import com.oviron.callidus.store.diagnostics.AlarmRecord;
import com.oviron.callidus.store.diagnostics.DiagnosticsStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a {@link Report} of any past period from the diagnostics store. Each bucket is made from the finest
 * aggregates the unit still keeps for its time and that fit the bucket: minutes, then hours, then days; a
 * coarser row counts in the bucket its start falls in.
 */
public final class ReportBuilder {
    /** Longest period one report covers. */
    public static final long MAX_SPAN_MILLIS = 400L * 86_400_000;
    /** Buckets per channel at most. */
    public static final int MAX_BUCKETS = 1_000;
    /** A channel "drifted" when its level moved by more than this share of its valid range. */
    public static final double DRIFT_SHARE = 0.05;
    /** Alarms listed in one report at most. */
    public static final int MAX_ALARMS = 500;
    private static final long[] AUTO_BUCKETS = {1, 5, 15, 60, 180, 360, 1440, 10_080, 44_640};

    private final DiagnosticsStore store;
    private final DiagnosticsStore.Retention retention;
    private final String device;
    private final String agentVersion;
    private final String catalogVersion;

    public ReportBuilder(DiagnosticsStore store, DiagnosticsStore.Retention retention, String device,
                         String agentVersion, String catalogVersion) {
        this.store = store;
        this.retention = retention;
        this.device = device;
        this.agentVersion = agentVersion;
        this.catalogVersion = catalogVersion;
    }

    /** The smallest of the usual bucket sizes that cuts the period into at most {@code maxBuckets}. */
    public static long autoBucketMinutes(long fromMillis, long toMillis, int maxBuckets) {
        for (long b : AUTO_BUCKETS) {
            if (buckets(fromMillis, toMillis, b) <= maxBuckets) {
                return b;
            }
        }
        return AUTO_BUCKETS[AUTO_BUCKETS.length - 1];
    }

    static long buckets(long fromMillis, long toMillis, long bucketMinutes) {
        long size = bucketMinutes * 60_000;
        return Math.floorDiv(toMillis - 1, size) - Math.floorDiv(fromMillis, size) + 1;
    }

    /**
     * @param channels the channels to report, in order
     */
    public Report build(long fromMillis, long toMillis, long bucketMinutes, List<ChannelInfo> channels, long now)
            throws StoreException {
        return build(fromMillis, toMillis, bucketMinutes, channels, now, List.of());
    }

    /**
     * @param channels the channels to report, in order
     * @param running  the minutes still running (not yet in the store), counted in the bucket of their start
     */
    public Report build(long fromMillis, long toMillis, long bucketMinutes, List<ChannelInfo> channels, long now,
                        List<AggregateRow> running) throws StoreException {
        long size = bucketMinutes * 60_000;
        Map<AggregateLevel, Long> horizon = new LinkedHashMap<>();
        horizon.put(AggregateLevel.MINUTE, now - retention.keepMinutesMillis());
        horizon.put(AggregateLevel.HOUR, now - retention.keepHoursMillis());
        horizon.put(AggregateLevel.DAY, Long.MIN_VALUE);
        // rows per level over the period, fetched once
        Map<AggregateLevel, Map<String, List<AggregateRow>>> rows = new HashMap<>();
        for (AggregateLevel level : AggregateLevel.values()) {
            if (level != AggregateLevel.DAY && (size % level.millis() != 0 || toMillis <= horizon.get(level))) {
                continue;
            }
            Map<String, List<AggregateRow>> byChannel = new HashMap<>();
            // rows before the first bucket this level serves are never used: not read either
            long first = level.bucketStart(fromMillis);
            if (level != AggregateLevel.DAY) {
                first = Math.max(first, Math.floorDiv(horizon.get(level) + size - 1, size) * size);
            }
            for (AggregateRow r : store.aggregates(level, first, toMillis)) {
                byChannel.computeIfAbsent(r.channel(), k -> new ArrayList<>()).add(r);
            }
            rows.put(level, byChannel);
        }
        List<Report.Series> series = new ArrayList<>();
        for (ChannelInfo c : channels) {
            TreeMap<Long, AggregateRow> buckets = new TreeMap<>();
            for (AggregateLevel level : AggregateLevel.values()) {
                for (AggregateRow r : rows.getOrDefault(level, Map.of()).getOrDefault(c.id(), List.of())) {
                    long bucket = Math.floorDiv(Math.max(r.startMillis(), fromMillis), size) * size;
                    if (r.startMillis() + level.millis() <= fromMillis || r.startMillis() >= toMillis
                            || !finest(level, bucket, size, horizon)) {
                        continue;
                    }
                    AggregateRow asBucket = new AggregateRow(AggregateLevel.MINUTE, c.id(),
                            AggregateLevel.MINUTE.bucketStart(bucket), r.count(), r.min(), r.max(), r.sum(),
                            r.observedMillis(), r.outOfRangeMillis());
                    buckets.merge(bucket, asBucket, AggregateRow::merge);
                }
            }
            for (AggregateRow r : running) {
                if (r.channel().equals(c.id()) && r.startMillis() + 60_000 > fromMillis && r.startMillis() < toMillis) {
                    long bucket = Math.floorDiv(Math.max(r.startMillis(), fromMillis), size) * size;
                    buckets.merge(bucket, new AggregateRow(AggregateLevel.MINUTE, c.id(), bucket, r.count(), r.min(),
                            r.max(), r.sum(), r.observedMillis(), r.outOfRangeMillis()), AggregateRow::merge);
                }
            }
            series.add(series(c, buckets));
        }
        List<AlarmRecord> alarms = store.alarms(fromMillis, toMillis, MAX_ALARMS);
        Map<String, Long> now0 = store.counters();
        Map<String, Long> end = store.countersAtEndOfDay(AggregateLevel.DAY.bucketStart(toMillis - 1));
        Map<String, Long> start = store.countersAtEndOfDay(AggregateLevel.DAY.bucketStart(fromMillis) - 86_400_000);
        Map<String, Long> period = new TreeMap<>();
        end.forEach((k, v) -> period.put(k, v - start.getOrDefault(k, 0L)));
        return new Report(device, agentVersion, catalogVersion, fromMillis, toMillis, bucketMinutes, now, series,
                alarms, now0, period, summary(series, alarms));
    }

    /** Whether {@code level} is the finest level that fits this bucket and is still kept for its time. */
    private static boolean finest(AggregateLevel level, long bucket, long size, Map<AggregateLevel, Long> horizon) {
        for (AggregateLevel l : AggregateLevel.values()) {
            boolean fits = l == AggregateLevel.DAY || size % l.millis() == 0;
            if (fits && bucket >= horizon.get(l)) {
                return l == level;
            }
        }
        return level == AggregateLevel.DAY;
    }

    private static Report.Series series(ChannelInfo c, TreeMap<Long, AggregateRow> buckets) {
        List<Report.Bucket> out = new ArrayList<>();
        long count = 0;
        double sum = 0;
        double min = Double.NaN;
        double max = Double.NaN;
        long observed = 0;
        long outOfRange = 0;
        for (Map.Entry<Long, AggregateRow> e : buckets.entrySet()) {
            AggregateRow r = e.getValue();
            out.add(new Report.Bucket(e.getKey(), r.count(), r.min(), r.max(), r.mean(), r.observedMillis(),
                    r.outOfRangeMillis()));
            count += r.count();
            sum += r.sum();
            if (r.count() > 0) {
                min = Double.isNaN(min) ? r.min() : Math.min(min, r.min());
                max = Double.isNaN(max) ? r.max() : Math.max(max, r.max());
            }
            observed += r.observedMillis();
            outOfRange += r.outOfRangeMillis();
        }
        return new Report.Series(c, out, count, min, max, count == 0 ? Double.NaN : sum / count, observed, outOfRange);
    }

    private static Report.Summary summary(List<Report.Series> series, List<AlarmRecord> alarms) {
        List<Report.Drift> drifted = new ArrayList<>();
        long covered = 0;
        for (Report.Series s : series) {
            covered = Math.max(covered, s.observedMillis());
            List<Report.Bucket> withData = s.buckets().stream().filter(b -> b.count() > 0).toList();
            if (withData.size() < 4) {
                continue;
            }
            int quarter = withData.size() / 4;
            double first = weightedMean(withData.subList(0, quarter));
            double last = weightedMean(withData.subList(withData.size() - quarter, withData.size()));
            double span = s.channel().validMax() - s.channel().validMin();
            if (Double.isFinite(span) && Math.abs(last - first) > DRIFT_SHARE * span) {
                drifted.add(new Report.Drift(s.channel().id(), first, last, last - first, s.channel().unit()));
            }
        }
        Map<String, long[]> codes = new TreeMap<>();
        for (AlarmRecord a : alarms) {
            long[] n = codes.computeIfAbsent(a.code(), k -> new long[2]);
            n[0]++;
            n[1] += a.count();
        }
        List<Report.CodeCount> byCode = new ArrayList<>();
        codes.forEach((code, n) -> byCode.add(new Report.CodeCount(code, n[0], n[1])));
        byCode.sort(Comparator.comparingLong(Report.CodeCount::raises).reversed()
                .thenComparing(Report.CodeCount::code));
        List<Report.Series> out = series.stream().filter(s -> s.outOfRangeMillis() > 0)
                .sorted(Comparator.comparingLong(Report.Series::outOfRangeMillis).reversed()).toList();
        return new Report.Summary(drifted, byCode, out, covered);
    }

    private static double weightedMean(List<Report.Bucket> buckets) {
        double sum = 0;
        long n = 0;
        for (Report.Bucket b : buckets) {
            sum += b.mean() * b.count();
            n += b.count();
        }
        return sum / n;
    }
}
