package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.NewReading;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * The readings of a store from before schema 6, one row each in table {@code reading}, moved into blocks at open:
 * a few thousand rows per transaction (the blocks go in and the rows they hold are deleted together, so each
 * reading is always in exactly one place), then the table goes. Small transactions keep the WAL small on a full
 * disk, and a power cut in the middle loses nothing: the next open goes on where this one stopped. Runs on the
 * outbox's connection before the store is used.
 */
final class LegacyRows {
    /** Rows per transaction: four blocks' worth. */
    static final int ROWS_PER_STEP = 4 * ReadingBlock.MAX_READINGS;

    private LegacyRows() {
    }

    /** Moves every row of table {@code reading} into blocks and drops the table; nothing to do without it. */
    static void moveIntoBlocks(Transactions tx, Path file) throws SQLException {
        Connection connection = tx.connection();
        if (tx.queryLong("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'reading'") == 0) {
            return;
        }
        long started = System.nanoTime();
        long moved = 0;
        try (PreparedStatement select = connection.prepareStatement("SELECT r.seq, c.name, r.channel_id, r.ts,"
                + " r.value, r.quality FROM reading r JOIN channel c ON c.id = r.channel_id ORDER BY r.seq"
                + " LIMIT " + ROWS_PER_STEP);
             PreparedStatement insert = connection.prepareStatement(ReadingBlocks.INSERT);
             PreparedStatement delete = connection.prepareStatement("DELETE FROM reading WHERE seq <= ?")) {
            long[] step = {0};
            do {
                tx.run(() -> step[0] = moveOneStep(select, insert, delete));
                moved += step[0];
            } while (step[0] > 0);
        }
        tx.run(() -> {
            tx.execute("DELETE FROM reading"); // rows whose channel was not in the dictionary: never sendable
            tx.execute("DROP TABLE reading");
        });
        Logger.info("store readings moved into blocks (schema 6) file={} readings={} ms={}", file, moved,
                (System.nanoTime() - started) / 1_000_000);
    }

    private static long moveOneStep(PreparedStatement select, PreparedStatement insert, PreparedStatement delete)
            throws SQLException {
        long[] seqs = new long[ROWS_PER_STEP];
        int[] ids = new int[ROWS_PER_STEP];
        List<NewReading> readings = new ArrayList<>(ROWS_PER_STEP);
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                int i = readings.size();
                seqs[i] = rs.getLong(1);
                ids[i] = rs.getInt(3);
                double value = rs.getDouble(5);
                if (rs.wasNull()) {
                    value = Double.NaN;
                }
                readings.add(new NewReading(rs.getString(2), rs.getLong(4), value, rs.getInt(6)));
            }
        }
        if (readings.isEmpty()) {
            return 0;
        }
        ReadingBlocks.insertNumbered(insert, seqs, readings, ids);
        delete.setLong(1, seqs[readings.size() - 1]);
        delete.executeUpdate();
        return readings.size();
    }
}
