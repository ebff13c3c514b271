package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.PeriodSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Figures per channel and bucket from the per-minute history of readings that left the raw table and the raw
 * readings still waiting ({@code TelemetryOutbox.summarize}).
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
        String sql = "SELECT c.name, b, sum(n), min(lo), max(hi), sum(s) FROM ("
                + " SELECT channel_id, (minute / ?) * ? AS b, count AS n, min AS lo, max AS hi, sum AS s"
                + " FROM minute_aggregate WHERE minute >= ? AND minute < ?"
                + " UNION ALL"
                + " SELECT channel_id, ((ts / 60000) / ?) * ?, count(value), min(value), max(value), total(value)"
                + " FROM reading WHERE ts >= ? AND ts < ? GROUP BY channel_id, ts / 60000"
                + ") JOIN channel c ON c.id = channel_id GROUP BY c.name, b HAVING sum(n) > 0 ORDER BY c.name, b";
        List<PeriodSummary> out = new ArrayList<>();
        try (PreparedStatement q = connection.prepareStatement(sql)) {
            q.setLong(1, bucketMinutes);
            q.setLong(2, bucketMinutes);
            q.setLong(3, Math.floorDiv(fromMillis, 60_000));
            q.setLong(4, Math.floorDiv(toMillis + 59_999, 60_000));
            q.setLong(5, bucketMinutes);
            q.setLong(6, bucketMinutes);
            q.setLong(7, fromMillis);
            q.setLong(8, toMillis);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long n = rs.getLong(3);
                    out.add(new PeriodSummary(rs.getString(1), rs.getLong(2) * 60_000, n, rs.getDouble(4),
                            rs.getDouble(5), rs.getDouble(6) / n));
                }
            }
        }
        return out;
    }
}
