package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.StoreException;
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
                    "INSERT INTO stream_cursor(stream, acknowledged_seq) VALUES ('telemetry', 0)")));

    static int latestVersion() {
        return ALL.get(ALL.size() - 1).version();
    }

    private SchemaMigrations() {
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
