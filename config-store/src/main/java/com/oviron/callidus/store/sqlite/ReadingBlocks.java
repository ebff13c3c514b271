package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.NewReading;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Table {@code reading_block}: the outbox's readings, one row per {@link ReadingBlock}, keyed by the block's
 * first sequence number. Blocks never overlap and follow each other in sequence order; the highest sequence
 * number ever given is kept in {@code counter('last_reading_seq')}, also when every block is gone. Used on the
 * outbox's connection, under its lock, inside the caller's transaction.
 */
final class ReadingBlocks {
    static final String CREATE_TABLE = "CREATE TABLE reading_block ("
            + " first_seq INTEGER PRIMARY KEY,"
            + " last_seq INTEGER NOT NULL,"
            + " min_ts INTEGER NOT NULL,"
            + " max_ts INTEGER NOT NULL,"
            + " data BLOB NOT NULL)";
    static final String INSERT = "INSERT INTO reading_block(first_seq, last_seq, min_ts, max_ts, data)"
            + " VALUES (?, ?, ?, ?, ?)";
    /** Deletes the blocks whose readings are all at or below {@code ?} (the same number twice). */
    static final String DELETE_UP_TO = "DELETE FROM reading_block WHERE first_seq <= ? AND last_seq <= ?";
    static final String LAST_SEQ = "SELECT value FROM counter WHERE name = 'last_reading_seq'";
    /**
     * The blocks that hold a reading after {@code ?}, in order: from the block holding the next sequence
     * number (a seek on the key, not a scan).
     */
    static final String FROM_SEQ = "SELECT first_seq, last_seq, data FROM reading_block WHERE first_seq >="
            + " coalesce((SELECT max(first_seq) FROM reading_block WHERE first_seq <= ? + 1), 0) ORDER BY first_seq";

    private ReadingBlocks() {
    }

    /**
     * The condition for the blocks whose readings are all at or below {@code seq}. The bound on the key keeps
     * it a range over the oldest blocks: a condition on {@code last_seq} alone reads every block's page.
     */
    static String upTo(long seq) {
        return "first_seq <= " + seq + " AND last_seq <= " + seq;
    }

    /**
     * Inserts the readings as blocks of at most {@link ReadingBlock#MAX_READINGS}, numbered from
     * {@code afterSeq + 1} on, and records the new last sequence number; returns it.
     */
    static long insert(Connection connection, PreparedStatement insert, List<NewReading> readings, int[] channelIds,
                       long afterSeq) throws SQLException {
        long next = afterSeq + 1;
        for (int from = 0; from < readings.size(); from += ReadingBlock.MAX_READINGS) {
            int to = Math.min(readings.size(), from + ReadingBlock.MAX_READINGS);
            insertBlock(insert, next, readings, channelIds, from, to);
            next += to - from;
        }
        setLastSeq(connection, next - 1);
        return next - 1;
    }

    /**
     * Inserts readings that already have sequence numbers ({@code seqs}, ascending, maybe with gaps), one block
     * per run of consecutive numbers of at most {@link ReadingBlock#MAX_READINGS}; the last sequence number is
     * the caller's. For what a migration or a salvage brings in.
     */
    static void insertNumbered(PreparedStatement insert, long[] seqs, List<NewReading> readings, int[] channelIds)
            throws SQLException {
        int from = 0;
        while (from < readings.size()) {
            int to = from + 1;
            while (to < readings.size() && to - from < ReadingBlock.MAX_READINGS && seqs[to] == seqs[to - 1] + 1) {
                to++;
            }
            insertBlock(insert, seqs[from], readings, channelIds, from, to);
            from = to;
        }
    }

    /** One block of {@code readings[from, to)}, numbered from {@code firstSeq}. */
    private static void insertBlock(PreparedStatement insert, long firstSeq, List<NewReading> readings,
                                    int[] channelIds, int from, int to) throws SQLException {
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;
        for (int i = from; i < to; i++) {
            long ts = readings.get(i).timestampMillis();
            minTs = Math.min(minTs, ts);
            maxTs = Math.max(maxTs, ts);
        }
        insert.setLong(1, firstSeq);
        insert.setLong(2, firstSeq + (to - from) - 1);
        insert.setLong(3, minTs);
        insert.setLong(4, maxTs);
        insert.setBytes(5, ReadingBlock.encode(readings, channelIds, from, to));
        insert.executeUpdate();
    }

    static void setLastSeq(Connection connection, long seq) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.executeUpdate("INSERT INTO counter(name, value) VALUES ('last_reading_seq', " + seq + ")"
                    + " ON CONFLICT(name) DO UPDATE SET value = excluded.value");
        }
    }

    /** Decodes a stored block; a block that does not decode is reported as SQLite reports a damaged page. */
    static ReadingBlock decode(long firstSeq, byte[] data) throws SQLException {
        try {
            return ReadingBlock.decode(firstSeq, data);
        } catch (ReadingBlock.DamagedBlockException e) {
            throw new SQLException(e.getMessage() + " [SQLITE_CORRUPT]", "", 11);
        }
    }

    /**
     * Adds the readings of the blocks that match {@code where} (a condition on the table's columns) to the
     * per-minute history (count, min, max, sum of the values per channel and minute), which period reports
     * read after the raw readings are gone.
     */
    static void foldIntoMinuteAggregates(Connection connection, String where) throws SQLException {
        MinuteFigures figures = new MinuteFigures();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT first_seq, data FROM reading_block WHERE " + where)) {
            while (rs.next()) {
                figures.add(decode(rs.getLong(1), rs.getBytes(2)), Long.MIN_VALUE, Long.MAX_VALUE);
            }
        }
        if (figures.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement(
                "INSERT INTO minute_aggregate(channel_id, minute, count, min, max, sum) VALUES (?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT(channel_id, minute) DO UPDATE SET count = count + excluded.count,"
                        + " min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),"
                        + " max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)),"
                        + " sum = sum + excluded.sum")) {
            for (Map.Entry<MinuteFigures.Key, MinuteFigures.Figures> e : figures.entries().entrySet()) {
                MinuteFigures.Figures f = e.getValue();
                upsert.setInt(1, e.getKey().channelId());
                upsert.setLong(2, e.getKey().minute());
                upsert.setLong(3, f.count);
                if (f.count > 0) {
                    upsert.setDouble(4, f.min);
                    upsert.setDouble(5, f.max);
                } else {
                    upsert.setNull(4, Types.REAL);
                    upsert.setNull(5, Types.REAL);
                }
                upsert.setDouble(6, f.sum);
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    /** Count, min, max and sum of the values per channel and minute, as SQL's count, min, max and total would. */
    static final class MinuteFigures {
        record Key(int channelId, long minute) {
        }

        static final class Figures {
            long count;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum;
        }

        private final Map<Key, Figures> figures = new HashMap<>();

        /** Adds the block's readings sampled in {@code [fromMillis, toMillis)}. */
        void add(ReadingBlock block, long fromMillis, long toMillis) {
            for (int i = 0; i < block.size(); i++) {
                long ts = block.timestamp(i);
                if (ts < fromMillis || ts >= toMillis) {
                    continue;
                }
                Figures f = figures.computeIfAbsent(new Key(block.channelId(i), ts / 60_000), k -> new Figures());
                double v = block.value(i);
                if (!Double.isNaN(v)) {
                    f.count++;
                    f.min = Math.min(f.min, v);
                    f.max = Math.max(f.max, v);
                    f.sum += v;
                }
            }
        }

        boolean isEmpty() {
            return figures.isEmpty();
        }

        Map<Key, Figures> entries() {
            return figures;
        }
    }
}
