package com.oviron.callidus.store.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The outbox's one connection: transactions that are committed or rolled back as a whole, and the pragmas
 * the store reads. A transaction that failed because the disk is full has already been rolled back by SQLite
 * itself; the rollback and the return to autocommit then report "no transaction is active", which must not
 * hide the error that matters. Used under the outbox's lock.
 */
final class Transactions {
    /** Work that runs inside one transaction. */
    @FunctionalInterface
    interface SqlWork {
        void run() throws SQLException;
    }

    private final Connection connection;
    private final Runnable afterRollback;

    Transactions(Connection connection, Runnable afterRollback) {
        this.connection = connection;
        this.afterRollback = afterRollback;
    }

    Connection connection() {
        return connection;
    }

    /** Runs the work in one transaction: committed as a whole, or rolled back as a whole (then rethrown). */
    void run(SqlWork work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            quietly(connection::rollback);
            quietly(() -> connection.setAutoCommit(true));
            afterRollback.run();
            throw e;
        }
        connection.setAutoCommit(true);
    }

    long queryLong(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    long pragma(String name) throws SQLException {
        return queryLong("PRAGMA " + name);
    }

    void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    /**
     * Copies the WAL into the database. {@code truncate}: and cuts the WAL file to zero bytes, giving its room
     * back to the file system; otherwise the WAL is only reused from its start by the next write.
     *
     * @return whether every frame was checkpointed
     */
    boolean checkpoint(boolean truncate) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + (truncate ? "TRUNCATE" : "PASSIVE") + ")")) {
            return rs.next() && rs.getInt(1) == 0 && rs.getInt(2) == rs.getInt(3);
        }
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    private static void quietly(SqlAction action) {
        try {
            action.run();
        } catch (SQLException e) {
            // after SQLITE_FULL, SQLite has already rolled back: the original error is the one to report
        }
    }
}
