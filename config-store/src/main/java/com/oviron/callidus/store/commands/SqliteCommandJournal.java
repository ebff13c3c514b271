package com.oviron.callidus.store.commands;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.state.StateDatabase;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The command journal in its own small SQLite file ({@link StateDatabase}: every write survives a power cut). */
public final class SqliteCommandJournal implements CommandJournal {
    private static final long KEEP_AFTER_EXPIRY_MILLIS = 24L * 3600 * 1000;
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE command (id TEXT PRIMARY KEY, name TEXT NOT NULL, received_at INTEGER NOT NULL,"
                    + " expires_at INTEGER NOT NULL, reply BLOB);"
                    + "CREATE INDEX command_received ON command(received_at)");

    private final StateDatabase db;

    private SqliteCommandJournal(StateDatabase db) {
        this.db = db;
    }

    public static SqliteCommandJournal open(Path file, Clock clock) throws StoreException {
        return new SqliteCommandJournal(StateDatabase.open(file, SCHEMA, clock));
    }

    /** Opens or creates the file; a full disk asks {@code space} for room ({@link StateDatabase}). */
    public static SqliteCommandJournal open(Path file, Clock clock, StoreSpace space) throws StoreException {
        return new SqliteCommandJournal(StateDatabase.open(file, SCHEMA, clock, space));
    }

    @Override
    public Optional<Entry> begin(String id, String name, long expiresAtMillis, long nowMillis) throws StoreException {
        return db.inTransaction(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT name, received_at, expires_at, reply FROM command WHERE id = ?")) {
                q.setString(1, id);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return Optional.of(new Entry(id, rs.getString(1), rs.getLong(2), rs.getLong(3),
                                Optional.ofNullable(rs.getBytes(4))));
                    }
                }
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO command (id, name, received_at, expires_at) VALUES (?, ?, ?, ?)")) {
                ins.setString(1, id);
                ins.setString(2, name);
                ins.setLong(3, nowMillis);
                ins.setLong(4, expiresAtMillis);
                ins.executeUpdate();
            }
            return Optional.empty();
        });
    }

    @Override
    public void complete(String id, byte[] reply) throws StoreException {
        db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE command SET reply = ? WHERE id = ?")) {
                up.setBytes(1, reply);
                up.setString(2, id);
                return up.executeUpdate();
            }
        });
    }

    @Override
    public int prune(long nowMillis) throws StoreException {
        return db.inTransaction(c -> {
            int removed;
            try (PreparedStatement del = c.prepareStatement("DELETE FROM command WHERE expires_at < ?")) {
                del.setLong(1, nowMillis - KEEP_AFTER_EXPIRY_MILLIS);
                removed = del.executeUpdate();
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM command WHERE id IN (SELECT id FROM command"
                    + " ORDER BY received_at DESC LIMIT -1 OFFSET ?)")) {
                del.setInt(1, MAX_ENTRIES);
                removed += del.executeUpdate();
            }
            return removed;
        });
    }

    @Override
    public int size() throws StoreException {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM command");
                 ResultSet rs = q.executeQuery()) {
                return rs.getInt(1);
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }
}
