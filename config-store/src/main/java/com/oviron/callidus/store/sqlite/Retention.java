package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.log.FailureLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/**
 * Drops the oldest raw readings (by sequence number, whole {@link ReadingBlock blocks} at a time) when the store is too big for its limit or its disk,
 * and readings older than the maximum age, after folding them into per-minute aggregates and counting them.
 * Every step is its own small transaction (a deletion is written to the WAL first, so one huge deletion
 * could not get through a full disk), and a step counts only once its commit is seen: after the commit the
 * dropped range is checked to be gone, and only then logged. Runs on the outbox's connection, under its lock.
 */
final class Retention {
    /** At least this many readings go per step (deleting one by one would thrash). */
    static final int MIN_DROP = 1_000;
    /** How many of the oldest blocks one age check looks at (up to 64 K readings). */
    private static final int AGE_WINDOW_BLOCKS = 64;
    /** Steps of one run at most; each is small, so this only stops a run that does not get anywhere. */
    private static final int MAX_STEPS = 500;

    /** About how many bytes one stored reading takes (in blocks: 11 of data, the rest the row's and page's share). */
    static final long READING_BYTES = 14;
    /** About how many bytes one row of per-minute history takes. */
    private static final long AGGREGATE_BYTES = 40;

    /** Why readings are dropped, as logged. */
    enum Reason { AGE, SIZE, DISK, FULL }

    private final Transactions tx;
    private final RetentionSettings settings;
    private final Clock clock;
    private final long pageSize;
    private final FailureLog log;

    Retention(Transactions tx, RetentionSettings settings, Clock clock, FailureLog log) throws SQLException {
        this.tx = tx;
        this.settings = settings;
        this.clock = clock;
        this.log = log;
        this.pageSize = tx.pragma("page_size");
        // the hard ceiling: SQLITE_FULL at 125 % of the soft limit, whatever the disk has left
        tx.execute("PRAGMA max_page_count = " + maxPageCount());
    }

    long maxPageCount() {
        return Math.max(64, settings.maxBytes() * 5 / 4 / pageSize);
    }

    long pageSize() {
        return pageSize;
    }

    long usedBytes() throws SQLException {
        return (tx.pragma("page_count") - tx.pragma("freelist_count")) * pageSize;
    }

    /** The stored readings' sequence range (a close count: only acknowledgements and retention remove, from the
     * head; a block acknowledged in part counts whole). */
    long rowCount() throws SQLException {
        return tx.queryLong("SELECT coalesce((SELECT last_seq FROM reading_block ORDER BY first_seq DESC LIMIT 1)"
                + " - (SELECT min(first_seq) FROM reading_block) + 1, 0)");
    }

    /** Bytes one stored reading takes, about (the per-minute history and the events live in the same pages
     * count, so a measured average would mislead). */
    long bytesPerReading() {
        return READING_BYTES;
    }

    /** Drops readings older than the maximum age; returns how many. */
    long enforceAge() throws SQLException {
        long cutoff = clock.millis() - settings.maxAge().toMillis();
        long dropped = 0;
        for (int step = 0; step < MAX_STEPS; step++) {
            long bound;
            try (PreparedStatement q = tx.connection().prepareStatement("SELECT max(first_seq) FROM (SELECT"
                    + " first_seq, max_ts FROM reading_block ORDER BY first_seq LIMIT " + AGE_WINDOW_BLOCKS
                    + ") WHERE max_ts < ?")) {
                q.setLong(1, cutoff);
                try (ResultSet rs = q.executeQuery()) {
                    bound = rs.next() ? rs.getLong(1) : 0;
                }
            }
            if (bound == 0) {
                break;
            }
            // a block goes when all its readings are too old
            long n = drop("first_seq <= " + bound + " AND max_ts < " + cutoff, true, Reason.AGE);
            dropped += n;
            if (n == 0) {
                break;
            }
        }
        return dropped;
    }

    /**
     * When the store takes more than {@code limitBytes}, brings it down to {@code targetBytes}, one small step
     * (its own transaction, then {@code betweenSteps}) at a time, in this order: the oldest readings while more
     * than {@code floorBytes} of readings are stored; then the oldest per-minute history; then the oldest dead
     * letters. The floor of readings and the events stay (only a write that meets a full disk drops below the
     * floor). Returns how many readings were dropped.
     */
    long enforceSize(long limitBytes, long targetBytes, long floorBytes, long stepBytes, Reason reason,
                     Transactions.SqlWork betweenSteps) throws SQLException {
        if (usedBytes() <= limitBytes) {
            return 0;
        }
        long dropped = 0;
        for (int step = 0; step < MAX_STEPS; step++) {
            long over = usedBytes() - targetBytes;
            if (over <= 0) {
                break;
            }
            long readings = rowCount() * READING_BYTES;
            long chunk = Math.min(over, stepBytes);
            long n = -1;
            if (readings > floorBytes) {
                n = dropOldest(Math.max(MIN_DROP, Math.min(chunk, readings - floorBytes) / READING_BYTES), true,
                        reason);
            } else if (!dropOldestHistory(Math.max(100, chunk / AGGREGATE_BYTES), reason)
                    && !dropOldestDeadLetter(reason)) {
                n = 0;
            }
            if (n == 0) {
                break; // only the floor of readings and the events are left: they stay
            }
            dropped += Math.max(0, n);
            betweenSteps.run();
        }
        return dropped;
    }

    /** Deletes the oldest {@code rows} rows of per-minute history (whole minutes); false if there were none. */
    private boolean dropOldestHistory(long rows, Reason reason) throws SQLException {
        long upTo = tx.queryLong("SELECT coalesce((SELECT minute FROM minute_aggregate ORDER BY minute LIMIT 1"
                + " OFFSET " + (rows - 1) + "), (SELECT max(minute) FROM minute_aggregate), -1)");
        if (upTo < 0) {
            return false;
        }
        long[] deleted = {0};
        tx.run(() -> {
            try (Statement st = tx.connection().createStatement()) {
                deleted[0] = st.executeUpdate("DELETE FROM minute_aggregate WHERE minute <= " + upTo);
            }
        });
        log.warn("history." + reason, "store retention dropped the oldest per-minute history reason={} rows={}"
                + " upToMinute={}", reason.name().toLowerCase(java.util.Locale.ROOT), deleted[0], upTo);
        return deleted[0] > 0;
    }

    /** Deletes the oldest dead letter (its payload); false if there was none. */
    private boolean dropOldestDeadLetter(Reason reason) throws SQLException {
        long id = tx.queryLong("SELECT coalesce(min(id), -1) FROM dead_letter");
        if (id < 0) {
            return false;
        }
        tx.run(() -> tx.execute("DELETE FROM dead_letter WHERE id = " + id));
        log.warn("deadLetter." + reason, "store retention dropped the oldest dead letter reason={} id={}",
                reason.name().toLowerCase(java.util.Locale.ROOT), id);
        return true;
    }

    /**
     * Drops the {@code count} oldest readings, at most {@code stepCount} per transaction (then
     * {@code betweenSteps}); returns how many went.
     */
    long dropOldestInSteps(long count, long stepCount, boolean aggregate, Reason reason,
                           Transactions.SqlWork betweenSteps) throws SQLException {
        long dropped = 0;
        for (int step = 0; step < MAX_STEPS && dropped < count; step++) {
            long n = dropOldest(Math.min(Math.max(1, stepCount), count - dropped), aggregate, reason);
            if (n == 0) {
                break;
            }
            dropped += n;
            betweenSteps.run();
        }
        return dropped;
    }

    /** Deletes aggregates older than their own maximum age. */
    void pruneAggregates() throws SQLException {
        long cutoffMinute = (clock.millis() - settings.aggregateMaxAge().toMillis()) / 60_000;
        tx.run(() -> tx.execute("DELETE FROM minute_aggregate WHERE minute < " + cutoffMinute));
    }

    /**
     * Drops the oldest blocks that hold at least the {@code count} oldest readings (all of them if there are
     * fewer) in one transaction, folded into aggregates when {@code aggregate}; returns how many unsent readings
     * went (0 if there were none).
     */
    long dropOldest(long count, boolean aggregate, Reason reason) throws SQLException {
        long upTo = 0;
        long readings = 0;
        try (Statement st = tx.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT first_seq, last_seq FROM reading_block ORDER BY first_seq")) {
            while (readings < count && rs.next()) {
                upTo = rs.getLong(1);
                readings += rs.getLong(2) - upTo + 1;
            }
        }
        if (upTo == 0) {
            return 0;
        }
        return drop("first_seq <= " + upTo, aggregate, reason);
    }

    /**
     * Folds the readings of the matching blocks into minute aggregates, counts the unsent ones (a block's
     * readings are unsent but for the acknowledged head of a block acknowledged in part) and deletes the blocks,
     * in one transaction; then checks that they are gone and logs. Returns how many unsent readings went.
     */
    private long drop(String where, boolean aggregate, Reason reason) throws SQLException {
        long[] deleted = {0};
        tx.run(() -> {
            try (Statement st = tx.connection().createStatement()) {
                if (aggregate) {
                    ReadingBlocks.foldIntoMinuteAggregates(tx.connection(), where);
                }
                long acknowledged = tx.queryLong("SELECT acknowledged_seq FROM stream_cursor"
                        + " WHERE stream = 'telemetry'");
                deleted[0] = tx.queryLong("SELECT coalesce(sum(last_seq - max(first_seq - 1, " + acknowledged
                        + ")), 0) FROM reading_block WHERE (" + where + ") AND last_seq > " + acknowledged);
                if (st.executeUpdate("DELETE FROM reading_block WHERE " + where) > 0 && deleted[0] > 0) {
                    st.executeUpdate("UPDATE counter SET value = value + " + deleted[0]
                            + " WHERE name = 'dropped_readings'");
                }
            }
        });
        if (deleted[0] == 0) {
            return 0;
        }
        if (tx.queryLong("SELECT EXISTS(SELECT 1 FROM reading_block WHERE " + where + ")") != 0) {
            // never seen, but a step that did not take effect must not be counted, logged as done, or repeated
            throw new SQLException("retention step had no effect: readings " + where + " are still stored");
        }
        long total = tx.queryLong("SELECT value FROM counter WHERE name = 'dropped_readings'");
        log.warn("dropped." + reason, "store retention dropped the oldest unsent readings reason={} count={}"
                + " droppedTotal={} rule={} aggregated={}", reason.name().toLowerCase(java.util.Locale.ROOT),
                deleted[0], total, where, aggregate);
        return deleted[0];
    }
}
