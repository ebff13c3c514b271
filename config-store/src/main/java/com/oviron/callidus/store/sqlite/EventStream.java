package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.StoredEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The alarm and audit events in table {@code event}, with their own cursor. SQL only; the outbox's lock. */
final class EventStream {
    private final Transactions tx;

    EventStream(Transactions tx) {
        this.tx = tx;
    }

    /** Inserts an event; call inside a transaction. */
    void insert(long atMillis, String kind, String severity, String message, Optional<String> detail)
            throws SQLException {
        try (PreparedStatement insert = tx.connection().prepareStatement(
                "INSERT INTO event(ts, kind, severity, message, detail) VALUES (?, ?, ?, ?, ?)")) {
            insert.setLong(1, atMillis);
            insert.setString(2, kind);
            insert.setString(3, severity);
            insert.setString(4, message);
            insert.setString(5, detail.orElse(null));
            insert.executeUpdate();
        }
    }

    /** The sequence number of the last event stored. */
    long lastSeq() throws SQLException {
        return tx.queryLong("SELECT seq FROM sqlite_sequence WHERE name = 'event'");
    }

    List<StoredEvent> pending(int limit) throws SQLException {
        try (PreparedStatement q = tx.connection().prepareStatement("SELECT seq, ts, kind, severity, message,"
                + " detail FROM event WHERE seq > (SELECT acknowledged_seq FROM stream_cursor WHERE stream = 'events')"
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
        }
    }

    /** Moves the cursor and deletes what the cloud has; call inside a transaction. */
    void acknowledge(long seq) throws SQLException {
        tx.execute("UPDATE stream_cursor SET acknowledged_seq = max(acknowledged_seq, " + seq
                + ") WHERE stream = 'events'");
        tx.execute("DELETE FROM event WHERE seq <= " + seq);
    }
}
