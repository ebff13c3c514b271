package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.NewReading;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

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
            int n = s.readings().size();
            long[] seqs = new long[n];
            int[] ids = new int[n];
            List<NewReading> readings = new ArrayList<>(n);
            for (CorruptionRecovery.SalvagedReading r : s.readings()) {
                seqs[readings.size()] = r.seq();
                ids[readings.size()] = channels.idOf(r.channel());
                readings.add(new NewReading(r.channel(), r.ts(), r.value() == null ? Double.NaN : r.value(),
                        r.quality()));
            }
            try (PreparedStatement insert = connection.prepareStatement(ReadingBlocks.INSERT)) {
                ReadingBlocks.insertNumbered(insert, seqs, readings, ids);
            }
            ReadingBlocks.setLastSeq(connection, next);
            try (Statement st = connection.createStatement()) {
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
