package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.PeriodSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Figures per channel and bucket from the per-minute history of readings that left the raw blocks and the raw
 * readings still waiting ({@code TelemetryOutbox.summarize}): the history summed by SQL, the blocks decoded here.
 */
final class PeriodSummaries {
    private PeriodSummaries() {
    }

    static List<PeriodSummary> query(Connection connection, long fromMillis, long toMillis, long bucketMillis)
            throws SQLException {
        if (bucketMillis <= 0 || bucketMillis % 60_000 != 0) {
            throw new IllegalArgumentException("bucket must be a whole number of minutes, got " + bucketMillis + " ms");
        }
        long bucketMinutes = bucketMillis / 60_000;
        // per channel id and bucket: count, min, max, sum; first the per-minute history, then the raw blocks
        Map<ReadingBlocks.MinuteFigures.Key, double[]> buckets = new HashMap<>();
        try (PreparedStatement q = connection.prepareStatement("SELECT channel_id, (minute / ?) * ?, sum(count),"
                + " min(min), max(max), sum(sum) FROM minute_aggregate WHERE minute >= ? AND minute < ?"
                + " GROUP BY channel_id, minute / ?")) {
            q.setLong(1, bucketMinutes);
            q.setLong(2, bucketMinutes);
            q.setLong(3, Math.floorDiv(fromMillis, 60_000));
            q.setLong(4, Math.floorDiv(toMillis + 59_999, 60_000));
            q.setLong(5, bucketMinutes);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    double lo = rs.getDouble(4);
                    lo = rs.wasNull() ? Double.POSITIVE_INFINITY : lo;
                    double hi = rs.getDouble(5);
                    hi = rs.wasNull() ? Double.NEGATIVE_INFINITY : hi;
                    merge(buckets, new ReadingBlocks.MinuteFigures.Key(rs.getInt(1), rs.getLong(2)), rs.getLong(3),
                            lo, hi, rs.getDouble(6));
                }
            }
        }
        ReadingBlocks.MinuteFigures raw = new ReadingBlocks.MinuteFigures();
        try (PreparedStatement q = connection.prepareStatement(
                "SELECT first_seq, data FROM reading_block WHERE max_ts >= ? AND min_ts < ?")) {
            q.setLong(1, fromMillis);
            q.setLong(2, toMillis);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    raw.add(ReadingBlocks.decode(rs.getLong(1), rs.getBytes(2)), fromMillis, toMillis);
                }
            }
        }
        raw.entries().forEach((k, f) -> merge(buckets, new ReadingBlocks.MinuteFigures.Key(k.channelId(),
                (k.minute() / bucketMinutes) * bucketMinutes), f.count, f.min, f.max, f.sum));
        Map<Integer, String> names = new HashMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM channel")) {
            while (rs.next()) {
                names.put(rs.getInt(1), rs.getString(2));
            }
        }
        List<PeriodSummary> out = new ArrayList<>();
        buckets.forEach((k, f) -> {
            String name = names.get(k.channelId());
            if (f[0] > 0 && name != null) {
                out.add(new PeriodSummary(name, k.minute() * 60_000, (long) f[0], f[1], f[2], f[3] / f[0]));
            }
        });
        out.sort(Comparator.comparing(PeriodSummary::channelId).thenComparingLong(PeriodSummary::bucketStartMillis));
        return out;
    }

    private static void merge(Map<ReadingBlocks.MinuteFigures.Key, double[]> buckets,
                              ReadingBlocks.MinuteFigures.Key key, long count, double min, double max, double sum) {
        double[] f = buckets.computeIfAbsent(key, k -> new double[] {0, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, 0});
        f[0] += count;
        f[1] = Math.min(f[1], min);
        f[2] = Math.max(f[2], max);
        f[3] += sum;
    }
}
