package com.oviron.callidus.store.diagnostics;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.state.StateDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The diagnostics in their own SQLite file ({@code diagnostics.db}, a {@link StateDatabase}: WAL, every commit
 * survives a power cut, a damaged file is moved aside). Separate from the telemetry outbox so that the outbox's
 * size limit and full-disk handling never drop a year of aggregates or the usage counters, and the once-a-minute
 * writes here never wait behind a group commit.
 */
public final class SqliteDiagnosticsStore implements DiagnosticsStore {
    /** Schema steps, only ever appended. */
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE alarm (id INTEGER PRIMARY KEY AUTOINCREMENT, rule TEXT NOT NULL, code TEXT NOT NULL,"
                    + " channel TEXT NOT NULL, active INTEGER NOT NULL, acknowledged INTEGER NOT NULL,"
                    + " first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, cleared_at INTEGER,"
                    + " count INTEGER NOT NULL, value REAL, limit_value REAL, worst REAL, ack_at INTEGER,"
                    + " ack_by TEXT NOT NULL, closed_at INTEGER);"
                    + "CREATE INDEX alarm_open ON alarm(closed_at);"
                    + "CREATE TABLE aggregate (level INTEGER NOT NULL, channel TEXT NOT NULL, start INTEGER NOT NULL,"
                    + " count INTEGER NOT NULL, min REAL, max REAL, sum REAL NOT NULL, observed_ms INTEGER NOT NULL,"
                    + " out_of_range_ms INTEGER NOT NULL, PRIMARY KEY (level, channel, start)) WITHOUT ROWID;"
                    + "CREATE INDEX aggregate_start ON aggregate(level, start);"
                    + "CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                    + "CREATE TABLE counter_day (day INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,"
                    + " PRIMARY KEY (day, name)) WITHOUT ROWID;"
                    + "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");

    /** Merges a row into its bucket: counts and sums add up, extremes are kept, NULL (no readings) loses. */
    private static final String MERGE = "INSERT INTO aggregate (level, channel, start, count, min, max, sum,"
            + " observed_ms, out_of_range_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (level, channel, start) DO UPDATE SET count = count + excluded.count,"
            + " min = CASE WHEN min IS NULL THEN excluded.min WHEN excluded.min IS NULL THEN min"
            + " ELSE min(min, excluded.min) END,"
            + " max = CASE WHEN max IS NULL THEN excluded.max WHEN excluded.max IS NULL THEN max"
            + " ELSE max(max, excluded.max) END,"
            + " sum = sum + excluded.sum, observed_ms = observed_ms + excluded.observed_ms,"
            + " out_of_range_ms = out_of_range_ms + excluded.out_of_range_ms";
    private static final String ALARM_COLUMNS = "id, rule, code, channel, active, acknowledged, first_at, last_at,"
            + " cleared_at, count, value, limit_value, worst, ack_at, ack_by, closed_at";

    private final StateDatabase db;

    private SqliteDiagnosticsStore(StateDatabase db) {
        this.db = db;
    }

    /** Opens or creates the file (a damaged one is moved aside and started afresh). */
    public static SqliteDiagnosticsStore open(Path file, Clock clock) throws StoreException {
        return new SqliteDiagnosticsStore(StateDatabase.open(file, SCHEMA, clock));
    }

    @Override
    public AlarmRecord insertAlarm(AlarmRecord alarm) throws StoreException {
        return db.inTransaction(c -> {
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO alarm (rule, code, channel, active,"
                    + " acknowledged, first_at, last_at, cleared_at, count, value, limit_value, worst, ack_at, ack_by,"
                    + " closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                bindAlarm(ins, alarm, 1);
                ins.executeUpdate();
                try (ResultSet keys = ins.getGeneratedKeys()) {
                    keys.next();
                    return alarm.withId(keys.getLong(1));
                }
            }
        });
    }

    @Override
    public void updateAlarm(AlarmRecord alarm) throws StoreException {
        int changed = db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE alarm SET rule = ?, code = ?, channel = ?,"
                    + " active = ?, acknowledged = ?, first_at = ?, last_at = ?, cleared_at = ?, count = ?, value = ?,"
                    + " limit_value = ?, worst = ?, ack_at = ?, ack_by = ?, closed_at = ? WHERE id = ?")) {
                bindAlarm(up, alarm, 1);
                up.setLong(16, alarm.id());
                return up.executeUpdate();
            }
        });
        if (changed != 1) {
            throw new StoreException("alarm " + alarm.id() + " is not stored");
        }
    }

    @Override
    public Optional<AlarmRecord> alarm(long id) throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + ALARM_COLUMNS + " FROM alarm WHERE id = ?")) {
                q.setLong(1, id);
                List<AlarmRecord> found = readAlarms(q);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    @Override
    public List<AlarmRecord> openAlarms() throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + ALARM_COLUMNS
                    + " FROM alarm WHERE closed_at IS NULL ORDER BY id")) {
                return readAlarms(q);
            }
        });
    }

    @Override
    public List<AlarmRecord> alarms(long fromMillis, long toMillis, int limit) throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + ALARM_COLUMNS + " FROM alarm"
                    + " WHERE first_at < ? AND (active = 1 OR cleared_at >= ?) ORDER BY first_at, id LIMIT ?")) {
                q.setLong(1, toMillis);
                q.setLong(2, fromMillis);
                q.setInt(3, limit);
                return readAlarms(q);
            }
        });
    }

    @Override
    public void addMinutes(List<AggregateRow> minuteRows) throws StoreException {
        for (AggregateRow r : minuteRows) {
            if (r.level() != AggregateLevel.MINUTE) {
                throw new IllegalArgumentException("only minute rows are added, got " + r.level());
            }
        }
        if (minuteRows.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            try (PreparedStatement merge = c.prepareStatement(MERGE)) {
                for (AggregateRow minute : minuteRows) {
                    for (AggregateLevel level : AggregateLevel.values()) {
                        bindRow(merge, minute.as(level));
                        merge.addBatch();
                    }
                }
                merge.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<AggregateRow> aggregates(AggregateLevel level, long fromMillis, long toMillis) throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT channel, start, count, min, max, sum, observed_ms,"
                    + " out_of_range_ms FROM aggregate WHERE level = ? AND start >= ? AND start < ?"
                    + " ORDER BY channel, start")) {
                q.setInt(1, level.ordinal());
                q.setLong(2, fromMillis);
                q.setLong(3, toMillis);
                List<AggregateRow> out = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AggregateRow(level, rs.getString(1), rs.getLong(2), rs.getLong(3), real(rs, 4),
                                real(rs, 5), rs.getDouble(6), rs.getLong(7), rs.getLong(8)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Map<String, Long> counters() throws StoreException {
        return db.read(c -> namedValues(c, "SELECT name, value FROM counter", null));
    }

    @Override
    public void addToCounters(Map<String, Long> deltas, long atMillis) throws StoreException {
        if (deltas.isEmpty()) {
            return;
        }
        long day = AggregateLevel.DAY.bucketStart(atMillis);
        db.inTransaction(c -> {
            try (PreparedStatement add = c.prepareStatement("INSERT INTO counter (name, value) VALUES (?, ?)"
                    + " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value");
                 PreparedStatement snapshot = c.prepareStatement("INSERT INTO counter_day (day, name, value)"
                         + " SELECT ?, name, value FROM counter WHERE name = ?"
                         + " ON CONFLICT (day, name) DO UPDATE SET value = excluded.value")) {
                for (Map.Entry<String, Long> e : new TreeMap<>(deltas).entrySet()) {
                    add.setString(1, e.getKey());
                    add.setLong(2, e.getValue());
                    add.executeUpdate();
                    snapshot.setLong(1, day);
                    snapshot.setString(2, e.getKey());
                    snapshot.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public Map<String, Long> countersAtEndOfDay(long dayStartMillis) throws StoreException {
        return db.read(c -> namedValues(c, "SELECT d.name, d.value FROM counter_day d WHERE d.day = (SELECT max(day)"
                + " FROM counter_day WHERE name = d.name AND day <= ?)", dayStartMillis));
    }

    @Override
    public Optional<String> meta(String key) throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
                q.setString(1, key);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void putMeta(String key, String value) throws StoreException {
        db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("INSERT INTO meta (key, value) VALUES (?, ?)"
                    + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
                up.setString(1, key);
                up.setString(2, value);
                return up.executeUpdate();
            }
        });
    }

    @Override
    public int prune(long nowMillis, Retention retention) throws StoreException {
        return db.inTransaction(c -> {
            int removed = 0;
            long[] keep = {retention.keepMinutesMillis(), retention.keepHoursMillis(), retention.keepDaysMillis()};
            try (PreparedStatement del = c.prepareStatement("DELETE FROM aggregate WHERE level = ? AND start < ?")) {
                for (AggregateLevel level : AggregateLevel.values()) {
                    del.setInt(1, level.ordinal());
                    del.setLong(2, nowMillis - keep[level.ordinal()]);
                    removed += del.executeUpdate();
                }
            }
            long oldest = nowMillis - retention.keepDaysMillis();
            try (PreparedStatement del = c.prepareStatement("DELETE FROM alarm WHERE closed_at < ?")) {
                del.setLong(1, oldest);
                removed += del.executeUpdate();
            }
            // a counter's newest day value stays, however old: it is the value before the next one
            try (PreparedStatement del = c.prepareStatement("DELETE FROM counter_day WHERE day < ? AND day <"
                    + " (SELECT max(day) FROM counter_day d WHERE d.name = counter_day.name)")) {
                del.setLong(1, oldest);
                removed += del.executeUpdate();
            }
            return removed;
        });
    }

    @Override
    public String quickCheck() throws StoreException {
        return db.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                StringBuilder sb = new StringBuilder();
                while (rs.next()) {
                    sb.append(sb.length() == 0 ? "" : "; ").append(rs.getString(1));
                }
                return sb.toString();
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }

    private static void bindAlarm(PreparedStatement st, AlarmRecord a, int first) throws SQLException {
        st.setString(first, a.rule());
        st.setString(first + 1, a.code());
        st.setString(first + 2, a.channel());
        st.setInt(first + 3, a.active() ? 1 : 0);
        st.setInt(first + 4, a.acknowledged() ? 1 : 0);
        st.setLong(first + 5, a.firstAt());
        st.setLong(first + 6, a.lastAt());
        optionalLong(st, first + 7, a.clearedAt());
        st.setInt(first + 8, a.count());
        real(st, first + 9, a.value());
        real(st, first + 10, a.limit());
        real(st, first + 11, a.worst());
        optionalLong(st, first + 12, a.ackAt());
        st.setString(first + 13, a.ackBy());
        optionalLong(st, first + 14, a.closedAt());
    }

    private static List<AlarmRecord> readAlarms(PreparedStatement q) throws SQLException {
        List<AlarmRecord> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(new AlarmRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5) == 1, rs.getInt(6) == 1, rs.getLong(7), rs.getLong(8), optionalLong(rs, 9),
                        rs.getInt(10), real(rs, 11), real(rs, 12), real(rs, 13), optionalLong(rs, 14),
                        rs.getString(15), optionalLong(rs, 16)));
            }
        }
        return out;
    }

    private static void bindRow(PreparedStatement st, AggregateRow r) throws SQLException {
        st.setInt(1, r.level().ordinal());
        st.setString(2, r.channel());
        st.setLong(3, r.startMillis());
        st.setLong(4, r.count());
        real(st, 5, r.min());
        real(st, 6, r.max());
        st.setDouble(7, r.sum());
        st.setLong(8, r.observedMillis());
        st.setLong(9, r.outOfRangeMillis());
    }

    private static Map<String, Long> namedValues(Connection c, String sql, Long parameter) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            if (parameter != null) {
                q.setLong(1, parameter);
            }
            Map<String, Long> out = new TreeMap<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        }
    }

    /** SQLite has no NaN: it is stored as NULL. */
    private static void real(PreparedStatement st, int index, double v) throws SQLException {
        if (Double.isNaN(v)) {
            st.setNull(index, Types.REAL);
        } else {
            st.setDouble(index, v);
        }
    }

    private static double real(ResultSet rs, int index) throws SQLException {
        double v = rs.getDouble(index);
        return rs.wasNull() ? Double.NaN : v;
    }

    private static void optionalLong(PreparedStatement st, int index, OptionalLong v) throws SQLException {
        if (v.isPresent()) {
            st.setLong(index, v.getAsLong());
        } else {
            st.setNull(index, Types.INTEGER);
        }
    }

    private static OptionalLong optionalLong(ResultSet rs, int index) throws SQLException {
        long v = rs.getLong(index);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }
}
