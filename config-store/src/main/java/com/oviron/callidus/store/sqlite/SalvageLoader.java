package com.oviron.callidus.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;

/**
 * Loads what was salvaged from a damaged file into a fresh store. Salvaged readings keep their sequence
 * numbers, so the cloud drops what it already had. When the damaged file no longer told how far the sequence
 * had gone, the stream jumps ahead (to the current time in milliseconds x 1000) rather than risk giving a
 * number twice. Events keep their numbers too, and the events stream goes on (or jumps) like telemetry's.
 */
final class SalvageLoader {
    private SalvageLoader() {
    }

    /** Loads the salvage in one transaction; returns the sequence number the telemetry stream continues after. */
    static long load(Transactions tx, ChannelDictionary channels, CorruptionRecovery.Salvage s, Clock clock)
            throws SQLException {
        long maxSalvaged = s.readings().stream().mapToLong(CorruptionRecovery.SalvagedReading::seq).max().orElse(0);
        long minSalvaged = s.readings().stream().mapToLong(CorruptionRecovery.SalvagedReading::seq).min().orElse(0);
        long next = s.lastSeq().isPresent() ? Math.max(s.lastSeq().getAsLong(), maxSalvaged)
                : Math.max(maxSalvaged, clock.millis() * 1000);
        long acknowledged = s.acknowledgedSeq().isPresent() ? Math.min(s.acknowledgedSeq().getAsLong(), next)
                : s.readings().isEmpty() ? next : minSalvaged - 1;
        Connection connection = tx.connection();
        tx.run(() -> {
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
        return next;
    }
}
