package com.oviron.callidus.store.audit;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.state.StateDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/** The audit log in its own small SQLite file ({@link StateDatabase}: every entry survives a power cut). */
public final class SqliteAuditLog implements AuditLog {
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,"
                    + " role TEXT NOT NULL, via TEXT NOT NULL, session TEXT NOT NULL, action TEXT NOT NULL,"
                    + " details TEXT NOT NULL, outcome TEXT NOT NULL, ok INTEGER NOT NULL);"
                    + "CREATE INDEX audit_session ON audit(session);"
                    + "CREATE TABLE audit_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                    + "INSERT INTO audit_meta VALUES ('removed', 0)");

    private final StateDatabase db;
    private final int maxEntries;
    private boolean toldFull;

    private SqliteAuditLog(StateDatabase db, int maxEntries) {
        this.db = db;
        this.maxEntries = maxEntries;
    }

    /**
     * @param maxEntries entries kept at most, at least 10
     */
    public static SqliteAuditLog open(Path file, int maxEntries, Clock clock) throws StoreException {
        if (maxEntries < 10) {
            throw new IllegalArgumentException("an audit log keeps at least 10 entries, got " + maxEntries);
        }
        return new SqliteAuditLog(StateDatabase.open(file, SCHEMA, clock), maxEntries);
    }

    @Override
    public long append(NewAuditEntry e) throws StoreException {
        return db.inTransaction(c -> {
            long seq;
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO audit (at, actor, role, via, session, action,"
                    + " details, outcome, ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ins.setLong(1, e.atMillis());
                ins.setString(2, e.actor());
                ins.setString(3, e.role());
                ins.setString(4, e.via());
                ins.setString(5, e.session());
                ins.setString(6, e.action());
                ins.setString(7, e.details());
                ins.setString(8, e.outcome());
                ins.setInt(9, e.ok() ? 1 : 0);
                ins.executeUpdate();
            }
            try (PreparedStatement q = c.prepareStatement("SELECT last_insert_rowid()"); ResultSet rs = q.executeQuery()) {
                seq = rs.getLong(1);
            }
            int removed;
            try (PreparedStatement del = c.prepareStatement("DELETE FROM audit WHERE seq <= ?")) {
                del.setLong(1, seq - maxEntries);
                removed = del.executeUpdate();
            }
            if (removed > 0) {
                try (PreparedStatement up = c.prepareStatement(
                        "UPDATE audit_meta SET value = value + ? WHERE name = 'removed'")) {
                    up.setInt(1, removed);
                    up.executeUpdate();
                }
                if (!toldFull) {
                    toldFull = true;
                    Logger.info("audit log full: from now on each new entry removes the oldest (counted) kept={}",
                            maxEntries);
                }
            }
            return seq;
        });
    }

    @Override
    public List<AuditEntry> newest(int limit) throws StoreException {
        return db.read(c -> query(c, "SELECT seq, at, actor, role, via, session, action, details, outcome, ok FROM audit"
                + " ORDER BY seq DESC LIMIT ?", limit));
    }

    @Override
    public List<AuditEntry> session(String session) throws StoreException {
        if (session.isEmpty()) {
            return List.of();
        }
        return db.read(c -> query(c, "SELECT seq, at, actor, role, via, session, action, details, outcome, ok FROM audit"
                + " WHERE session = ? ORDER BY seq", session));
    }

    private static List<AuditEntry> query(Connection c, String sql, Object parameter) throws SQLException {
        List<AuditEntry> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setObject(1, parameter);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditEntry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                            rs.getInt(10) != 0));
                }
            }
        }
        return out;
    }

    @Override
    public long count() throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM audit"); ResultSet rs = q.executeQuery()) {
                return rs.getLong(1);
            }
        });
    }

    @Override
    public long removed() throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT value FROM audit_meta WHERE name = 'removed'");
                 ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        });
    }

    @Override
    public int maxEntries() {
        return maxEntries;
    }

    @Override
    public void close() {
        db.close();
    }
}
