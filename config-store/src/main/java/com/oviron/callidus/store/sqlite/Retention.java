package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.RetentionSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.tinylog.Logger;

/**
 * Applies {@link RetentionSettings} to the outbox's tables: drops the oldest raw readings (by sequence
 * number) when the database is too big, and readings older than the maximum age, after folding them into
 * per-minute aggregates and counting them. Runs on the outbox's connection, under its
 * lock, each pass in one transaction.
 */
final class Retention {
    /** At least this many readings go per pass over the size limit (deleting one by one would thrash). */
    private static final int MIN_DROP = 1_000;
    /** How many of the oldest readings one age check looks at. */
    private static final int AGE_WINDOW = 10_000;

    private final Connection connection;
    private final RetentionSettings settings;
    private final Clock clock;
    private final long pageSize;
    private boolean aggregate = true;

    Retention(Connection connection, RetentionSettings settings, Clock clock) throws SQLException {
        this.connection = connection;
        this.settings = settings;
        this.clock = clock;
        this.pageSize = pragma("page_size");
        // the hard ceiling: SQLITE_FULL at 125 % of the soft limit, whatever the disk has left
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA max_page_count = " + Math.max(64, settings.maxBytes() * 5 / 4 / pageSize));
        }
    }

    long usedBytes() throws SQLException {
        return (pragma("page_count") - pragma("freelist_count")) * pageSize;
    }

    private long pragma(String name) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Brings the store within its limits; returns how many readings were dropped. Call inside a
     * transaction.
     */
    long enforce() throws SQLException {
        long dropped = dropOlderThan(clock.millis() - settings.maxAge().toMillis());
        int passes = 0;
        while (usedBytes() > settings.maxBytes() && passes++ < 50) {
            long n = dropOldest(Math.max(MIN_DROP, rowCount() / 10));
            if (n == 0) {
                break;
            }
            dropped += n;
        }
        try (PreparedStatement old = connection.prepareStatement("DELETE FROM minute_aggregate WHERE minute < ?")) {
            old.setLong(1, (clock.millis() - settings.aggregateMaxAge().toMillis()) / 60_000);
            old.executeUpdate();
        }
        return dropped;
    }

    /**
     * For a full disk or the hard ceiling: drops the oldest readings now, at least {@code room} of them and a
     * tenth of the store. Call inside a transaction.
     */
    long emergency(long room) throws SQLException {
        return dropOldest(Math.max(Math.max(MIN_DROP, room), rowCount() / 10));
    }

    private long rowCount() throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT max(seq) FROM reading) - (SELECT min(seq) FROM reading) + 1")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private long dropOldest(long count) throws SQLException {
        long upTo;
        try (PreparedStatement q = connection.prepareStatement(
                "SELECT seq FROM reading ORDER BY seq LIMIT 1 OFFSET ?")) {
            q.setLong(1, count - 1);
            try (ResultSet rs = q.executeQuery()) {
                upTo = rs.next() ? rs.getLong(1) : maxSeq();
            }
        }
        return drop("seq <= " + upTo);
    }

    private long maxSeq() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT max(seq) FROM reading")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Drops readings older than the cutoff from the head of the stream, a window at a time: the oldest
     * readings by sequence are the oldest by time, so this never scans the whole table (there is no index on
     * time). A reading whose clock was far behind is dropped when it reaches the head.
     */
    private long dropOlderThan(long cutoffMillis) throws SQLException {
        long dropped = 0;
        while (true) {
            long bound;
            try (PreparedStatement q = connection.prepareStatement("SELECT max(seq) FROM (SELECT seq, ts FROM reading"
                    + " ORDER BY seq LIMIT " + AGE_WINDOW + ") WHERE ts < ?")) {
                q.setLong(1, cutoffMillis);
                try (ResultSet rs = q.executeQuery()) {
                    bound = rs.next() ? rs.getLong(1) : 0;
                    if (rs.wasNull()) {
                        bound = 0;
                    }
                }
            }
            if (bound == 0) {
                return dropped;
            }
            long n = drop("seq <= " + bound + " AND ts < " + cutoffMillis);
            dropped += n;
            if (n == 0) {
                return dropped;
            }
        }
    }

    /** Like {@link #enforce()}, for a full store: frees space without writing aggregates. */
    long enforceWithoutAggregates() throws SQLException {
        aggregate = false;
        try {
            return enforce();
        } finally {
            aggregate = true;
        }
    }

    /**
     * Adds the readings that match {@code where} to the per-minute history (count, min, max, sum per channel
     * and minute), which period reports read after the raw readings are gone.
     */
    static void foldIntoMinuteAggregates(Statement st, String where) throws SQLException {
        st.executeUpdate("INSERT INTO minute_aggregate(channel_id, minute, count, min, max, sum)"
                + " SELECT channel_id, ts / 60000, count(value), min(value), max(value), total(value)"
                + " FROM reading WHERE " + where + " GROUP BY channel_id, ts / 60000"
                + " ON CONFLICT(channel_id, minute) DO UPDATE SET count = count + excluded.count,"
                + " min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),"
                + " max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)),"
                + " sum = sum + excluded.sum");
    }

    /** Folds the matching readings into minute aggregates, counts the unacknowledged ones, deletes them all. */
    private long drop(String where) throws SQLException {
        try (Statement st = connection.createStatement()) {
            if (aggregate) {
                foldIntoMinuteAggregates(st, where);
            }
            // acknowledged readings are deleted on acknowledgement: everything here is still unsent
            int deleted = st.executeUpdate("DELETE FROM reading WHERE " + where);
            if (deleted > 0) {
                st.executeUpdate("UPDATE counter SET value = value + " + deleted + " WHERE name = 'dropped_readings'");
                Logger.warn("store retention dropped unsent readings count={} rule={}", deleted, where);
            }
            return deleted;
        }
    }
}
