package com.oviron.callidus.store.transfers;

import com.oviron.callidus.store.StoreException;
import com.oviron.callidus.store.StoreSpace;
import com.oviron.callidus.store.state.StateDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The transfers in their own small SQLite file ({@link StateDatabase}: every write survives a power cut). The
 * chunk bitmap is a BLOB rewritten on each change: at most a few KiB (a 64 MiB file in 1 KiB chunks is 8 KiB
 * of bitmap), so one row update per chunk is cheap next to the chunk's own write.
 */
public final class SqliteTransferStore implements TransferStore {
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE transfer (id TEXT PRIMARY KEY, direction TEXT NOT NULL, kind TEXT NOT NULL,"
                    + " name TEXT NOT NULL, size INTEGER NOT NULL, sha256 BLOB NOT NULL, chunk_size INTEGER NOT NULL,"
                    + " deadline INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL, done BLOB NOT NULL,"
                    + " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
                    + "CREATE INDEX transfer_state ON transfer(state, created_at)");
    private static final String COLUMNS = "id, direction, kind, name, size, sha256, chunk_size, deadline, state,"
            + " reason, done, created_at, updated_at";

    private final StateDatabase db;
    private final Clock clock;

    private SqliteTransferStore(StateDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public static SqliteTransferStore open(Path file, Clock clock) throws StoreException {
        return new SqliteTransferStore(StateDatabase.open(file, SCHEMA, clock), clock);
    }

    /** Opens or creates the file; a full disk asks {@code space} for room ({@link StateDatabase}). */
    public static SqliteTransferStore open(Path file, Clock clock, StoreSpace space) throws StoreException {
        return new SqliteTransferStore(StateDatabase.open(file, SCHEMA, clock, space), clock);
    }

    @Override
    public boolean create(StoredTransfer t) throws StoreException {
        return db.inTransaction(c -> {
            if (load(c, t.id()).isPresent()) {
                return false;
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO transfer (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ins.setString(1, t.id());
                ins.setString(2, t.direction().name());
                ins.setString(3, t.kind());
                ins.setString(4, t.name());
                ins.setLong(5, t.size());
                ins.setBytes(6, t.sha256());
                ins.setInt(7, t.chunkSize());
                ins.setLong(8, t.deadlineMillis());
                ins.setString(9, t.state().name());
                ins.setString(10, t.reason());
                ins.setBytes(11, t.done().toByteArray());
                ins.setLong(12, t.createdAtMillis());
                ins.setLong(13, t.updatedAtMillis());
                ins.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public Optional<StoredTransfer> find(String id) throws StoreException {
        return db.read(c -> load(c, id));
    }

    @Override
    public void markDone(String id, int chunk) throws StoreException {
        db.inTransaction(c -> {
            Optional<StoredTransfer> t = load(c, id);
            if (t.isEmpty() || t.get().state().isFinal() || chunk < 0 || chunk >= t.get().chunkCount()
                    || t.get().isDone(chunk)) {
                return null;
            }
            BitSet done = t.get().done();
            done.set(chunk);
            saveDone(c, id, done);
            return null;
        });
    }

    @Override
    public void markDone(String id, Collection<Integer> chunks) throws StoreException {
        db.inTransaction(c -> {
            Optional<StoredTransfer> t = load(c, id);
            if (t.isEmpty() || t.get().state().isFinal()) {
                return null;
            }
            BitSet done = t.get().done();
            boolean changed = false;
            for (int chunk : chunks) {
                if (chunk >= 0 && chunk < t.get().chunkCount() && !done.get(chunk)) {
                    done.set(chunk);
                    changed = true;
                }
            }
            if (changed) {
                saveDone(c, id, done);
            }
            return null;
        });
    }

    @Override
    public void markMissing(String id, Collection<Integer> chunks) throws StoreException {
        db.inTransaction(c -> {
            Optional<StoredTransfer> t = load(c, id);
            if (t.isEmpty()) {
                return null;
            }
            BitSet done = t.get().done();
            for (int chunk : chunks) {
                if (chunk >= 0 && chunk < t.get().chunkCount()) {
                    done.clear(chunk);
                }
            }
            saveDone(c, id, done);
            return null;
        });
    }

    @Override
    public void finish(String id, TransferState state, String reason, long nowMillis) throws StoreException {
        if (!state.isFinal()) {
            throw new IllegalArgumentException("finish needs a final state, got " + state);
        }
        db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE transfer SET state = ?, reason = ?, updated_at = ?"
                    + " WHERE id = ? AND state = ?")) {
                up.setString(1, state.name());
                up.setString(2, reason);
                up.setLong(3, nowMillis);
                up.setString(4, id);
                up.setString(5, TransferState.ACTIVE.name());
                return up.executeUpdate();
            }
        });
    }

    @Override
    public List<StoredTransfer> active() throws StoreException {
        return db.read(c -> query(c, "SELECT " + COLUMNS + " FROM transfer WHERE state = '"
                + TransferState.ACTIVE.name() + "' ORDER BY created_at, id", -1));
    }

    @Override
    public List<StoredTransfer> recent(int limit) throws StoreException {
        return db.read(c -> query(c, "SELECT " + COLUMNS + " FROM transfer ORDER BY created_at DESC, id DESC"
                + " LIMIT ?", limit));
    }

    @Override
    public int prune(int keepFinished) throws StoreException {
        return db.inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM transfer WHERE id IN (SELECT id FROM transfer"
                    + " WHERE state <> ? ORDER BY updated_at DESC, id DESC LIMIT -1 OFFSET ?)")) {
                del.setString(1, TransferState.ACTIVE.name());
                del.setInt(2, keepFinished);
                return del.executeUpdate();
            }
        });
    }

    @Override
    public void close() {
        db.close();
    }

    private void saveDone(Connection c, String id, BitSet done) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE transfer SET done = ?, updated_at = ? WHERE id = ?")) {
            up.setBytes(1, done.toByteArray());
            up.setLong(2, clock.millis());
            up.setString(3, id);
            up.executeUpdate();
        }
    }

    private static Optional<StoredTransfer> load(Connection c, String id) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM transfer WHERE id = ?")) {
            q.setString(1, id);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static List<StoredTransfer> query(Connection c, String sql, int limit) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            if (limit >= 0) {
                q.setInt(1, limit);
            }
            List<StoredTransfer> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        }
    }

    private static StoredTransfer row(ResultSet rs) throws SQLException {
        return new StoredTransfer(rs.getString(1), TransferDirection.valueOf(rs.getString(2)), rs.getString(3),
                rs.getString(4), rs.getLong(5), rs.getBytes(6), rs.getInt(7), rs.getLong(8),
                TransferState.valueOf(rs.getString(9)), rs.getString(10), BitSet.valueOf(rs.getBytes(11)),
                rs.getLong(12), rs.getLong(13));
    }
}
