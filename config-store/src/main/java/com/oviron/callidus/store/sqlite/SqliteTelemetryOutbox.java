package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.NewReading;
import com.oviron.callidus.store.PeriodSummary;
import com.oviron.callidus.store.RetentionSettings;
import com.oviron.callidus.store.StoreStats;
import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.TelemetryOutbox;
import com.oviron.callidus.store.TelemetryRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tinylog.Logger;

/**
 * The telemetry outbox in an SQLite file in WAL mode. One connection, guarded by this object's lock:
 * the sampler's appends and the sync's reads are short, and one connection keeps the sequence logic simple.
 */
public final class SqliteTelemetryOutbox implements TelemetryOutbox {
    private static final String STREAM = "telemetry";

    private final Path file;
    private final Connection connection;
    private static final int SQLITE_FULL = 13;
    /** Retention is checked after this many appends (a check reads two pragmas: cheap, but not free). */
    private static final int APPENDS_PER_RETENTION_CHECK = 32;

    private final ChannelDictionary channels;
    private final Retention retention;
    private final RetentionSettings retentionSettings;
    private int appendsSinceCheck;
    private boolean closed;

    private SqliteTelemetryOutbox(Path file, Connection connection, RetentionSettings settings, Clock clock)
            throws SQLException {
        this.file = file;
        this.connection = connection;
        this.channels = new ChannelDictionary(connection);
        this.retention = new Retention(connection, settings, clock);
        this.retentionSettings = settings;
    }

    /**
     * Opens (creating if needed) the database file, switches it to WAL with the given durability and brings
     * its schema up to date.
     */
    public static SqliteTelemetryOutbox open(Path file, Durability durability) throws StoreException {
        return open(file, durability, RetentionSettings.defaults(), Clock.systemUTC());
    }

    /**
     * Opens (creating if needed) the database file, switches it to WAL with the given durability, brings
     * its schema up to date and applies the retention limits.
     */
    public static SqliteTelemetryOutbox open(Path file, Durability durability, RetentionSettings retention,
                                             Clock clock) throws StoreException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the folder of " + file + ": " + e.getMessage(), e);
        }
        Optional<CorruptionRecovery.Salvage> salvage = CorruptionRecovery.checkAndMoveAside(file, clock);
        Connection connection = null;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = connection.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "?";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new StoreException("database " + file + " refused WAL mode (got " + mode + ")");
                    }
                }
                st.execute("PRAGMA synchronous = " + durability.name());
            }
            int version = SchemaMigrations.migrate(connection, file.toString());
            Logger.info("store opened file={} schema={} durability={} maxBytes={} maxAge={}", file, version,
                    durability, retention.maxBytes(), retention.maxAge());
            SqliteTelemetryOutbox outbox = new SqliteTelemetryOutbox(file, connection, retention, clock);
            if (salvage.isPresent()) {
                outbox.restore(salvage.get(), clock);
            }
            outbox.enforceRetention();
            return outbox;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new StoreException("cannot open database " + file + ": " + e.getMessage(), e);
        } catch (StoreException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    @Override
    public synchronized long append(List<NewReading> readings) throws StoreException {
        ensureOpen();
        if (readings.isEmpty()) {
            return lastSeq();
        }
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    insert(readings);
                    break;
                } catch (SQLException e) {
                    if (!isFull(e) || attempt > 3) {
                        throw e;
                    }
                    // the disk, or the store's ceiling, is full: drop the oldest by the retention rule, room for
                    // the group and more, and try again
                    Logger.warn("store full, dropping the oldest readings file={} attempt={} error={}", file, attempt,
                            e.getMessage());
                    long room = 2L * attempt * readings.size();
                    inTransaction(() -> retention.emergency(room));
                }
            }
            // size after every append (two pragmas: microseconds), so the soft limit holds and the hard ceiling
            // stays a last resort; age now and then (it reads a window of the oldest readings)
            if (++appendsSinceCheck >= APPENDS_PER_RETENTION_CHECK || retention.usedBytes() > retentionSettings.maxBytes()) {
                appendsSinceCheck = 0;
                try {
                    enforceRetention();
                } catch (StoreException e) {
                    // the readings are committed, hence accepted: a retention failure must not make the caller
                    // write them a second time
                    Logger.error("store retention failed after an append error={}", e.getMessage());
                }
            }
            return lastSeq();
        } catch (SQLException | StoreException e) {
            throw new StoreException("cannot append " + readings.size() + " readings to " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Loads what was salvaged from a damaged file into this fresh store and raises an alarm. Salvaged readings
     * keep their sequence numbers, so the cloud drops what it already had. When the damaged file no longer
     * told how far the sequence had gone, the stream jumps ahead (to the current time in milliseconds x 1000)
     * rather than risk giving a number twice.
     */
    private void restore(CorruptionRecovery.Salvage s, Clock clock) throws SQLException, StoreException {
        long maxSalvaged = s.readings().stream().mapToLong(CorruptionRecovery.SalvagedReading::seq).max().orElse(0);
        long minSalvaged = s.readings().stream().mapToLong(CorruptionRecovery.SalvagedReading::seq).min().orElse(0);
        long next = s.lastSeq().isPresent() ? Math.max(s.lastSeq().getAsLong(), maxSalvaged)
                : Math.max(maxSalvaged, clock.millis() * 1000);
        long acknowledged = s.acknowledgedSeq().isPresent() ? Math.min(s.acknowledgedSeq().getAsLong(), next)
                : s.readings().isEmpty() ? next : minSalvaged - 1;
        inTransaction(() -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO reading(seq, channel_id, ts, value, quality) VALUES (?, ?, ?, ?, ?)")) {
                for (CorruptionRecovery.SalvagedReading r : s.readings()) {
                    insert.setLong(1, r.seq());
                    insert.setInt(2, channels.idOf(r.channel()));
                    insert.setLong(3, r.ts());
                    if (r.value() == null) {
                        insert.setNull(4, Types.REAL);
                    } else {
                        insert.setDouble(4, r.value());
                    }
                    insert.setInt(5, r.quality());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (Statement st = connection.createStatement()) {
                st.executeUpdate("DELETE FROM sqlite_sequence WHERE name = 'reading'");
                st.executeUpdate("INSERT INTO sqlite_sequence(name, seq) VALUES ('reading', " + next + ")");
                st.executeUpdate("UPDATE stream_cursor SET acknowledged_seq = " + acknowledged
                        + " WHERE stream = 'telemetry'");
            }
            // events keep their numbers too, and the events stream goes on (or jumps) like telemetry's
            long maxEvent = s.events().stream().mapToLong(CorruptionRecovery.SalvagedEvent::seq).max().orElse(0);
            long nextEvent = s.lastEventSeq().isPresent() ? Math.max(s.lastEventSeq().getAsLong(), maxEvent)
                    : Math.max(maxEvent, clock.millis() * 1000);
            long minEvent = s.events().stream().mapToLong(CorruptionRecovery.SalvagedEvent::seq).min()
                    .orElse(nextEvent + 1);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO event(seq, ts, kind, severity, message, detail) VALUES (?, ?, ?, ?, ?, ?)");
                 Statement st = connection.createStatement()) {
                for (CorruptionRecovery.SalvagedEvent e : s.events()) {
                    insert.setLong(1, e.seq());
                    insert.setLong(2, e.ts());
                    insert.setString(3, e.kind());
                    insert.setString(4, e.severity());
                    insert.setString(5, e.message());
                    insert.setString(6, e.detail());
                    insert.addBatch();
                }
                insert.executeBatch();
                st.executeUpdate("DELETE FROM sqlite_sequence WHERE name = 'event'");
                st.executeUpdate("INSERT INTO sqlite_sequence(name, seq) VALUES ('event', " + nextEvent + ")");
                st.executeUpdate("UPDATE stream_cursor SET acknowledged_seq = " + (minEvent - 1)
                        + " WHERE stream = 'events'");
            }
        });
        appendEvent(clock.millis(), "store.corrupt", "alarm", "the agent's database was damaged (" + s.problem()
                + "); it was moved to " + s.movedTo().getFileName() + " and " + s.readings().size()
                + " unsent readings were recovered; the telemetry stream continues after sequence number " + next);
    }

    private static boolean isFull(SQLException e) {
        return (e.getErrorCode() & 0xFF) == SQLITE_FULL || String.valueOf(e.getMessage()).contains("SQLITE_FULL");
    }

    private void insert(List<NewReading> readings) throws SQLException {
        {
            // one transaction, one fsync, for the whole group
            inTransaction(() -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO reading(channel_id, ts, value, quality) VALUES (?, ?, ?, ?)")) {
                    for (NewReading r : readings) {
                        insert.setInt(1, channels.idOf(r.channelId()));
                        insert.setLong(2, r.timestampMillis());
                        if (Double.isFinite(r.value())) {
                            insert.setDouble(3, r.value());
                        } else {
                            insert.setNull(3, Types.REAL);
                        }
                        insert.setInt(4, r.qualityCode());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            });
        }
    }

    @Override
    public synchronized void deadLetter(long firstSeq, long lastSeq, byte[] payload, String reason, long atMillis)
            throws StoreException {
        ensureOpen();
        if (lastSeq < firstSeq || lastSeq > lastSeq()) {
            throw new IllegalArgumentException("no batch " + firstSeq + ".." + lastSeq + " to set aside");
        }
        try {
            inTransaction(() -> {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dead_letter(ts, stream,"
                        + " first_seq, last_seq, reason, payload) VALUES (?, 'telemetry', ?, ?, ?, ?)");
                     PreparedStatement cursor = connection.prepareStatement("UPDATE stream_cursor"
                             + " SET acknowledged_seq = max(acknowledged_seq, ?) WHERE stream = 'telemetry'");
                     PreparedStatement delete = connection.prepareStatement("DELETE FROM reading WHERE seq <= ?")) {
                    insert.setLong(1, atMillis);
                    insert.setLong(2, firstSeq);
                    insert.setLong(3, lastSeq);
                    insert.setString(4, reason);
                    insert.setBytes(5, payload);
                    insert.executeUpdate();
                    cursor.setLong(1, lastSeq);
                    cursor.executeUpdate();
                    delete.setLong(1, lastSeq);
                    delete.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException("cannot set aside readings " + firstSeq + ".." + lastSeq + " in " + file + ": "
                    + e.getMessage(), e);
        }
        Logger.error("telemetry batch set aside first={} last={} reason={}", firstSeq, lastSeq, reason);
        appendEvent(atMillis, "telemetry.dead_letter", "alarm", "readings " + firstSeq + ".." + lastSeq
                + " were set aside in the dead-letter table: " + reason);
    }

    @Override
    public synchronized long deadLetterCount() throws StoreException {
        ensureOpen();
        return queryLong("SELECT count(*) FROM dead_letter");
    }

    @Override
    public synchronized long appendEvent(long atMillis, String kind, String severity, String message,
                                         Optional<String> detail) throws StoreException {
        ensureOpen();
        new StoredEvent(1, atMillis, kind, severity, message, detail); // validates before anything is written
        try {
            try {
                insertEvent(atMillis, kind, severity, message, detail);
            } catch (SQLException e) {
                if (!isFull(e)) {
                    throw e;
                }
                // an alarm must get through a full store: readings make room, events are never dropped
                inTransaction(() -> retention.emergency(0));
                insertEvent(atMillis, kind, severity, message, detail);
            }
            return queryLong("SELECT seq FROM sqlite_sequence WHERE name = 'event'");
        } catch (SQLException e) {
            throw new StoreException("cannot store event " + kind + " in " + file + ": " + e.getMessage(), e);
        }
    }

    private void insertEvent(long atMillis, String kind, String severity, String message, Optional<String> detail)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO event(ts, kind, severity, message, detail) VALUES (?, ?, ?, ?, ?)")) {
            insert.setLong(1, atMillis);
            insert.setString(2, kind);
            insert.setString(3, severity);
            insert.setString(4, message);
            insert.setString(5, detail.orElse(null));
            insert.executeUpdate();
        }
    }

    @Override
    public synchronized List<StoredEvent> pendingEvents(int limit) throws StoreException {
        ensureOpen();
        try (PreparedStatement q = connection.prepareStatement("SELECT seq, ts, kind, severity, message, detail"
                + " FROM event WHERE seq > (SELECT acknowledged_seq FROM stream_cursor WHERE stream = 'events')"
                + " ORDER BY seq LIMIT ?")) {
            q.setInt(1, limit);
            List<StoredEvent> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredEvent(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), Optional.ofNullable(rs.getString(6))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read events from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void acknowledgeEvents(long seq) throws StoreException {
        ensureOpen();
        try {
            inTransaction(() -> {
                try (PreparedStatement cursor = connection.prepareStatement(
                        "UPDATE stream_cursor SET acknowledged_seq = max(acknowledged_seq, ?) WHERE stream = 'events'");
                     PreparedStatement delete = connection.prepareStatement("DELETE FROM event WHERE seq <= ?")) {
                    cursor.setLong(1, seq);
                    cursor.executeUpdate();
                    delete.setLong(1, seq);
                    delete.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException("cannot acknowledge events up to " + seq + " in " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** Applies the retention limits now (also done every few appends and at open). */
    public synchronized void enforceRetention() throws StoreException {
        ensureOpen();
        try {
            try {
                inTransaction(() -> retention.enforce());
            } catch (SQLException e) {
                if (!isFull(e)) {
                    throw e;
                }
                // even the aggregates need pages: on a full store, free space first, without them
                Logger.warn("store full during retention, dropping without aggregates file={}", file);
                inTransaction(() -> retention.enforceWithoutAggregates());
            }
        } catch (SQLException e) {
            throw new StoreException("cannot apply retention to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<PeriodSummary> summarize(long fromMillis, long toMillis, long bucketMillis)
            throws StoreException {
        ensureOpen();
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
        } catch (SQLException e) {
            throw new StoreException("cannot summarize " + fromMillis + ".." + toMillis + " from " + file + ": "
                    + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public synchronized StoreStats stats() throws StoreException {
        ensureOpen();
        try {
            return new StoreStats(retention.usedBytes(),
                    queryLong("SELECT value FROM counter WHERE name = 'dropped_readings'"),
                    queryLong("SELECT count(*) FROM minute_aggregate"));
        } catch (SQLException e) {
            throw new StoreException("cannot read the figures of " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<TelemetryRecord> readAfter(long afterSeq, int limit) throws StoreException {
        ensureOpen();
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        try (PreparedStatement q = connection.prepareStatement(
                "SELECT seq, channel_id, ts, value, quality FROM reading WHERE seq > ? ORDER BY seq LIMIT ?")) {
            q.setLong(1, afterSeq);
            q.setInt(2, limit);
            List<TelemetryRecord> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    double value = rs.getDouble(4);
                    if (rs.wasNull()) {
                        value = Double.NaN;
                    }
                    out.add(new TelemetryRecord(rs.getLong(1), channels.nameOf(rs.getInt(2)), rs.getLong(3), value,
                            rs.getInt(5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read telemetry after seq " + afterSeq + " from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void acknowledge(long seq) throws StoreException {
        ensureOpen();
        long last = lastSeq();
        if (seq > last) {
            throw new IllegalArgumentException("cannot acknowledge seq " + seq + ": the last accepted is " + last);
        }
        if (seq <= acknowledgedSeq()) {
            return;
        }
        try {
            inTransaction(() -> {
                try (PreparedStatement cursor = connection.prepareStatement(
                        "UPDATE stream_cursor SET acknowledged_seq = ? WHERE stream = ?");
                     PreparedStatement delete = connection.prepareStatement("DELETE FROM reading WHERE seq <= ?");
                     Statement fold = connection.createStatement()) {
                    // the readings leave the raw table: their per-minute history stays for period reports
                    Retention.foldIntoMinuteAggregates(fold, "seq <= " + seq);
                    cursor.setLong(1, seq);
                    cursor.setString(2, STREAM);
                    cursor.executeUpdate();
                    delete.setLong(1, seq);
                    delete.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException("cannot acknowledge seq " + seq + " in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized long acknowledgedSeq() throws StoreException {
        ensureOpen();
        return queryLong("SELECT acknowledged_seq FROM stream_cursor WHERE stream = '" + STREAM + "'");
    }

    @Override
    public synchronized long lastSeq() throws StoreException {
        ensureOpen();
        // sqlite_sequence keeps the highest seq ever given, also after the rows are deleted
        return queryLong("SELECT seq FROM sqlite_sequence WHERE name = 'reading'");
    }

    /** Work that runs inside one transaction. */
    @FunctionalInterface
    private interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs the work in one transaction: committed as a whole, or rolled back as a whole. */
    private void inTransaction(SqlWork work) throws SQLException {
        connection.setAutoCommit(false);
        boolean committed = false;
        try {
            work.run();
            connection.commit();
            committed = true;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            channels.invalidate();
            throw e;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                // after SQLITE_FULL SQLite has already rolled back: the original error is the one to report
                if (committed) {
                    throw e;
                }
            }
        }
    }

    private long queryLong(String sql) throws StoreException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new StoreException("cannot query " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs SQLite's quick check (seconds, not minutes, on a large file); "ok" when the file is sound. */
    public synchronized String quickCheck() throws StoreException {
        ensureOpen();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                sb.append(sb.length() == 0 ? "" : "; ").append(rs.getString(1));
            }
            return sb.toString();
        } catch (SQLException e) {
            throw new StoreException("cannot check " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs SQLite's full integrity check; "ok" when the file is sound. */
    public synchronized String integrityCheck() throws StoreException {
        ensureOpen();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                if (sb.length() > 0) {
                    sb.append("; ");
                }
                sb.append(rs.getString(1));
            }
            return sb.toString();
        } catch (SQLException e) {
            throw new StoreException("cannot check " + file + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() throws StoreException {
        if (closed) {
            throw new StoreException("store " + file + " is closed");
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // SQLite rolls back by itself on some errors (SQLITE_FULL): then there is nothing left to undo
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                Logger.warn("store rollback failed file={} error={}", file, e.getMessage());
            }
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already failing: the first error is the one reported
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.close();
            Logger.info("store closed file={}", file);
        } catch (SQLException e) {
            Logger.warn("store close failed file={} error={}", file, e.getMessage());
        }
    }
}
