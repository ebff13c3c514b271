package com.oviron.callidus.store.sqlite;

import com.oviron.callidus.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.sqlite.SQLiteConfig;
import org.tinylog.Logger;

/**
 * What the store does with a damaged database file at start-up: {@code PRAGMA quick_check}; if the file is
 * not sound, read what can still be read from it, move it aside (never delete it: it is evidence, and more
 * may be recovered by hand), and let a fresh store start with what was salvaged.
 */
final class CorruptionRecovery {
    private static final int CHUNK = 1_000;
    private static final int BLOCK_CHUNK = 16;

    /** A reading read back from a damaged file. */
    record SalvagedReading(long seq, String channel, long ts, Double value, int quality) {
    }

    /** An alarm or audit event read back from a damaged file ({@code detail} null when it had none). */
    record SalvagedEvent(long seq, long ts, String kind, String severity, String message, String detail) {
    }

    /** What came out of a damaged file. */
    record Salvage(Path movedTo, String problem, List<SalvagedReading> readings, OptionalLong lastSeq,
                   OptionalLong acknowledgedSeq, List<SalvagedEvent> events, OptionalLong lastEventSeq) {
    }

    private CorruptionRecovery() {
    }

    /** Checks the file; when it is damaged, salvages it and moves it aside. Empty when the file is sound. */
    static Optional<Salvage> checkAndMoveAside(Path file, Clock clock) throws StoreException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String problem = problemOf(file);
        if (problem == null) {
            return Optional.empty();
        }
        Logger.error("store database is damaged file={} problem={}", file, problem);
        List<SalvagedReading> readings = new ArrayList<>();
        List<SalvagedEvent> events = new ArrayList<>();
        OptionalLong lastSeq = OptionalLong.empty();
        OptionalLong acknowledged = OptionalLong.empty();
        OptionalLong lastEventSeq = OptionalLong.empty();
        try (Connection c = readOnly(file)) {
            lastSeq = max(single(c, "SELECT max(seq) FROM sqlite_sequence WHERE name IN ('reading', 'telemetry')"),
                    single(c, ReadingBlocks.LAST_SEQ));
            acknowledged = single(c, "SELECT acknowledged_seq FROM stream_cursor WHERE stream = 'telemetry'");
            lastEventSeq = single(c, "SELECT seq FROM sqlite_sequence WHERE name = 'event'");
            readings = readings(c, acknowledged.orElse(0));
            events = events(c);
        } catch (SQLException e) {
            Logger.warn("store salvage could not read the damaged file file={} error={}", file, e.getMessage());
        }
        Path movedTo = file.resolveSibling(file.getFileName() + ".corrupt-" + clock.millis());
        try {
            Files.move(file, movedTo, StandardCopyOption.ATOMIC_MOVE);
            for (String suffix : List.of("-wal", "-shm")) {
                Path side = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(side)) {
                    Files.move(side, movedTo.resolveSibling(movedTo.getFileName() + suffix),
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new StoreException("database " + file + " is damaged (" + problem + ") and cannot be moved aside: "
                    + e.getMessage(), e);
        }
        Logger.error("store database moved aside file={} movedTo={} salvagedReadings={}", file, movedTo,
                readings.size());
        return Optional.of(new Salvage(movedTo, problem, readings, lastSeq, acknowledged, events, lastEventSeq));
    }

    /** Unacknowledged events, if the table is there and readable. */
    private static List<SalvagedEvent> events(Connection c) {
        List<SalvagedEvent> out = new ArrayList<>();
        if (!tableExists(c, "event")) {
            return out;
        }
        // files before schema 5 have no detail column
        String detail = columnExists(c, "event", "detail") ? "detail" : "NULL";
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT seq, ts, kind, severity,"
                + " message, " + detail + " FROM event WHERE seq > (SELECT acknowledged_seq FROM stream_cursor"
                + " WHERE stream = 'events') ORDER BY seq")) {
            while (rs.next()) {
                out.add(new SalvagedEvent(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)));
            }
        } catch (SQLException e) {
            Logger.warn("store salvage could not read events error={}", e.getMessage());
        }
        return out;
    }

    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;

    /**
     * Null when quick_check says ok; else what is wrong. Only damage counts: a file that cannot be opened
     * for another reason (locked, no permission, I/O error) is not moved aside, it is an error.
     */
    private static String problemOf(Path file) throws StoreException {
        try (Connection c = readOnly(file); Statement st = c.createStatement()) {
            return quickCheck(st);
        } catch (SQLException e) {
            if (isDamage(e)) {
                return String.valueOf(e.getMessage());
            }
            throw new StoreException("cannot check database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code PRAGMA quick_check} on {@code st}: null when it says ok, else what it found (cut short). */
    static String quickCheck(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) {
                if (out.length() < 300) {
                    out.append(out.length() == 0 ? "" : "; ").append(rs.getString(1));
                }
            }
            String result = out.toString();
            return result.equals("ok") ? null : "quick_check: " + result;
        }
    }

    /** Whether an error says the file is damaged (not locked, no permission or an I/O error). */
    static boolean isDamage(SQLException e) {
        int code = e.getErrorCode() & 0xFF;
        String message = String.valueOf(e.getMessage());
        return code == SQLITE_CORRUPT || code == SQLITE_NOTADB || message.contains("SQLITE_CORRUPT")
                || message.contains("SQLITE_NOTADB");
    }

    static Connection readOnly(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
    }

    private static OptionalLong single(Connection c, String sql) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (rs.next()) {
                long v = rs.getLong(1);
                return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
            }
        } catch (SQLException e) {
            Logger.warn("store salvage skipped query={} error={}", sql, e.getMessage());
        }
        return OptionalLong.empty();
    }

    private static OptionalLong max(OptionalLong a, OptionalLong b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalLong.of(Math.max(a.getAsLong(), b.getAsLong()));
    }

    /**
     * Unacknowledged readings, in sequence order: from the blocks and, in a file of an older agent or one whose
     * rows were being moved into blocks (LegacyRows), from the rows.
     */
    private static List<SalvagedReading> readings(Connection c, long after) {
        List<SalvagedReading> out = new ArrayList<>();
        if (tableExists(c, "reading") || tableExists(c, "telemetry")) {
            out.addAll(rows(c, after));
        }
        if (tableExists(c, "reading_block")) {
            out.addAll(blocks(c, after));
        }
        out.sort(Comparator.comparingLong(SalvagedReading::seq));
        return out;
    }

    /** Unacknowledged readings, block by block; a block that cannot be read or decoded is skipped. */
    private static List<SalvagedReading> blocks(Connection c, long after) {
        Map<Integer, String> names = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM channel")) {
            while (rs.next()) {
                names.put(rs.getInt(1), rs.getString(2));
            }
        } catch (SQLException e) {
            Logger.warn("store salvage could not read the channel names error={}", e.getMessage());
        }
        List<SalvagedReading> out = new ArrayList<>();
        // by the key: from the first block that can hold seq after + 1 (a block holds at most MAX_READINGS)
        long from = after - ReadingBlock.MAX_READINGS;
        int failures = 0;
        while (failures < 1_000) {
            int got = 0;
            try (PreparedStatement q = c.prepareStatement("SELECT first_seq, data FROM reading_block"
                    + " WHERE first_seq > ? ORDER BY first_seq LIMIT " + BLOCK_CHUNK)) {
                q.setLong(1, from);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        got++;
                        long firstSeq = rs.getLong(1);
                        from = firstSeq;
                        try {
                            ReadingBlock block = ReadingBlock.decode(firstSeq, rs.getBytes(2));
                            for (int i = 0; i < block.size(); i++) {
                                String name = names.get(block.channelId(i));
                                if (block.seq(i) > after && name != null && !name.isEmpty()) {
                                    double v = block.value(i);
                                    out.add(new SalvagedReading(block.seq(i), name, block.timestamp(i),
                                            Double.isNaN(v) ? null : v, block.quality(i)));
                                }
                            }
                        } catch (ReadingBlock.DamagedBlockException e) {
                            Logger.warn("store salvage skipped a block error={}", e.getMessage());
                        }
                    }
                }
                if (got < BLOCK_CHUNK) {
                    return out;
                }
            } catch (SQLException e) {
                failures++;
                from += ReadingBlock.MAX_READINGS; // skip past the damaged part
            }
        }
        return out;
    }

    /** Unacknowledged readings of a file before schema 6 (one row each), chunk by chunk. */
    private static List<SalvagedReading> rows(Connection c, long after) {
        String table = tableExists(c, "reading")
                ? "reading r JOIN channel c ON c.id = r.channel_id"
                : "telemetry r";
        String channel = table.startsWith("reading") ? "c.name" : "r.channel";
        String sql = "SELECT r.seq, " + channel + ", r.ts, r.value, r.quality FROM " + table
                + " WHERE r.seq > ? ORDER BY r.seq LIMIT " + CHUNK;
        List<SalvagedReading> out = new ArrayList<>();
        long from = after;
        int failures = 0;
        while (failures < 1_000) {
            int got = 0;
            try (PreparedStatement q = c.prepareStatement(sql)) {
                q.setLong(1, from);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        double v = rs.getDouble(4);
                        Double value = rs.wasNull() ? null : v;
                        int quality = rs.getInt(5);
                        from = rs.getLong(1);
                        got++;
                        if (quality >= 0 && quality <= 127) { // else not a reading this agent wrote
                            out.add(new SalvagedReading(from, rs.getString(2), rs.getLong(3), value, quality));
                        }
                    }
                }
                if (got < CHUNK) {
                    return out;
                }
            } catch (SQLException e) {
                failures++;
                from += CHUNK; // skip past the damaged part
            }
        }
        return out;
    }

    private static boolean columnExists(Connection c, String table, String column) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (column.equals(rs.getString("name"))) {
                    return true;
                }
            }
            return false;
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean tableExists(Connection c, String name) {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            return false;
        }
    }
}
