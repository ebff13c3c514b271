package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.Durability;
import com.oviron.callidus.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.tinylog.Logger;

/**
 * Brings a database file to the schema this agent needs. The version lives in {@code PRAGMA user_version};
 * each migration runs in its own transaction together with the version bump, so a power cut leaves the file
 * at either the old or the new version, never in between.
 */
final class SchemaMigrations {

    /** One step: the SQL statements that take version {@code version - 1} to {@code version}. */
    record Migration(int version, List<String> statements) {
        Migration {
            statements = List.copyOf(statements);
        }
    }

    /** Every migration ever shipped, in order. Never edit a shipped one: add the next. */
    static final List<Migration> ALL = List.of(
            new Migration(1, List.of(
                    "CREATE TABLE telemetry ("
                            + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                            + " channel TEXT NOT NULL,"
                            + " ts INTEGER NOT NULL,"
                            + " value REAL,"
                            + " quality INTEGER NOT NULL)",
                    "CREATE TABLE stream_cursor ("
                            + " stream TEXT PRIMARY KEY,"
                            + " acknowledged_seq INTEGER NOT NULL)",
                    "INSERT INTO stream_cursor(stream, acknowledged_seq) VALUES ('telemetry', 0)")),
            // v2: channel names in a dictionary (a row shrinks by the name), per-minute aggregates of what
            // retention drops, and counters; the sequence carries over even when every row was acknowledged
            new Migration(2, List.of(
                    "CREATE TABLE channel (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
                    "CREATE TABLE reading ("
                            + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                            + " channel_id INTEGER NOT NULL REFERENCES channel(id),"
                            + " ts INTEGER NOT NULL,"
                            + " value REAL,"
                            + " quality INTEGER NOT NULL)",
                    "INSERT INTO channel(name) SELECT DISTINCT channel FROM telemetry ORDER BY channel",
                    "INSERT INTO reading(seq, channel_id, ts, value, quality)"
                            + " SELECT t.seq, c.id, t.ts, t.value, t.quality"
                            + " FROM telemetry t JOIN channel c ON c.name = t.channel ORDER BY t.seq",
                    "DELETE FROM sqlite_sequence WHERE name = 'reading'",
                    "INSERT INTO sqlite_sequence(name, seq)"
                            + " SELECT 'reading', seq FROM sqlite_sequence WHERE name = 'telemetry'",
                    "DROP TABLE telemetry",
                    "CREATE TABLE minute_aggregate ("
                            + " channel_id INTEGER NOT NULL,"
                            + " minute INTEGER NOT NULL,"
                            + " count INTEGER NOT NULL,"
                            + " min REAL,"
                            + " max REAL,"
                            + " sum REAL,"
                            + " PRIMARY KEY (channel_id, minute)) WITHOUT ROWID",
                    "CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
                    "INSERT INTO counter(name, value) VALUES ('dropped_readings', 0)")),
            // v3: alarms and audit events, sent before telemetry and never dropped by retention
            new Migration(3, List.of(
                    "CREATE TABLE event ("
                            + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                            + " ts INTEGER NOT NULL,"
                            + " kind TEXT NOT NULL,"
                            + " severity TEXT NOT NULL,"
                            + " message TEXT NOT NULL)",
                    "INSERT INTO stream_cursor(stream, acknowledged_seq) VALUES ('events', 0)")),
            // v4: batches the broker would not take, set aside with the reason instead of blocking the stream
            new Migration(4, List.of(
                    "CREATE TABLE dead_letter ("
                            + " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            + " ts INTEGER NOT NULL,"
                            + " stream TEXT NOT NULL,"
                            + " first_seq INTEGER NOT NULL,"
                            + " last_seq INTEGER NOT NULL,"
                            + " reason TEXT NOT NULL,"
                            + " payload BLOB)")),
            // v5: machine-readable detail of an event (an alarm's code, values and remedy), a JSON object's text
            new Migration(5, List.of(
                    "ALTER TABLE event ADD COLUMN detail TEXT")),
            // v6: readings in blocks, one row per run of up to 1024 (ReadingBlock, ADR 0029); the sequence
            // number moves from sqlite_sequence to a counter. The rows of table reading move into blocks after
            // the migration, in small transactions of their own (LegacyRows), and then the table goes.
            new Migration(6, List.of(
                    ReadingBlocks.CREATE_TABLE,
                    "INSERT INTO counter(name, value) VALUES ('last_reading_seq',"
                            + " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'reading'), 0))")));

    static int latestVersion() {
        return ALL.get(ALL.size() - 1).version();
    }

    private SchemaMigrations() {
    }

    /** WAL, durability, and the schema; a new file gives its freed pages back to the disk (incremental vacuum). */
    static int prepare(Connection connection, Path file, Durability durability, boolean fresh)
            throws SQLException, StoreException {
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA busy_timeout = 5000");
            if (fresh) {
                st.execute("PRAGMA auto_vacuum = INCREMENTAL"); // only before the first table
            }
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
                String mode = rs.next() ? rs.getString(1) : "?";
                if (!"wal".equalsIgnoreCase(mode)) {
                    throw new StoreException("database " + file + " refused WAL mode (got " + mode + ")");
                }
            }
            st.execute("PRAGMA synchronous = " + durability.name());
        }
        return migrate(connection, file.toString());
    }

    /** Applies every migration above the file's version; refuses a file from a newer agent. */
    static int migrate(Connection connection, String fileName) throws StoreException {
        try {
            int current = userVersion(connection);
            if (current > latestVersion()) {
                throw new StoreException("database " + fileName + " has schema version " + current
                        + ", newer than this agent supports (" + latestVersion() + "); install a newer agent");
            }
            for (Migration migration : ALL) {
                if (migration.version() <= current) {
                    continue;
                }
                boolean autoCommit = connection.getAutoCommit();
                connection.setAutoCommit(false);
                try (Statement st = connection.createStatement()) {
                    for (String sql : migration.statements()) {
                        st.execute(sql);
                    }
                    st.execute("PRAGMA user_version = " + migration.version());
                    connection.commit();
                } catch (SQLException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
                Logger.info("store schema migrated file={} from={} to={}", fileName, current, migration.version());
                current = migration.version();
            }
            return current;
        } catch (SQLException e) {
            throw new StoreException("cannot migrate database " + fileName + ": " + e.getMessage(), e);
        }
    }

    static int userVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
