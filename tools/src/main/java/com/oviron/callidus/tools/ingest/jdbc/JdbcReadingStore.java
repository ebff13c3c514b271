package com.oviron.callidus.tools.ingest.jdbc;

import com.oviron.callidus.store.StoredEvent;
import com.oviron.callidus.store.TelemetryRecord;
import com.oviron.callidus.tools.ingest.IngestException;
import com.oviron.callidus.tools.ingest.ReadingStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The readings and events in a SQL database through JDBC: SQLite ({@code jdbc:sqlite:<file>}, the default)
 * or PostgreSQL ({@code jdbc:postgresql://host:port/db}). Two tables, the same SQL on both:
 * {@code readings(device, seq, channel, t, value, quality)} and
 * {@code events(device, seq, at, kind, severity, message)}, each with the primary key {@code (device, seq)};
 * a copy is skipped by {@code INSERT ... ON CONFLICT (device, seq) DO NOTHING} (SQLite 3.24+, PostgreSQL
 * 9.5+), so several ingest instances can write at once. {@code value} is NULL for a reading without one.
 * One connection, used by the ingest's writer thread only.
 */
public final class JdbcReadingStore implements ReadingStore {
    private static final String CREATE_READINGS = """
            CREATE TABLE IF NOT EXISTS readings (
              device TEXT NOT NULL, seq BIGINT NOT NULL, channel TEXT NOT NULL, t BIGINT NOT NULL,
              value DOUBLE PRECISION, quality SMALLINT NOT NULL, PRIMARY KEY (device, seq))""";
    private static final String CREATE_EVENTS = """
            CREATE TABLE IF NOT EXISTS events (
              device TEXT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, kind TEXT NOT NULL,
              severity TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY (device, seq))""";
    private static final String INSERT_READING = "INSERT INTO readings (device, seq, channel, t, value, quality)"
            + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device, seq) DO NOTHING";
    private static final String INSERT_EVENT = "INSERT INTO events (device, seq, at, kind, severity, message)"
            + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device, seq) DO NOTHING";
    private static final String GAPS = """
            SELECT device, prev + 1, seq - 1 FROM (
              SELECT device, seq, LAG(seq) OVER (PARTITION BY device ORDER BY seq) AS prev FROM readings) s
            WHERE prev IS NOT NULL AND seq > prev + 1 ORDER BY device, seq""";

    private final String url;
    private final Connection connection;

    private JdbcReadingStore(String url, Connection connection) {
        this.url = url;
        this.connection = connection;
    }

    /**
     * Opens the database and creates the tables if they are missing.
     *
     * @param url      {@code jdbc:sqlite:...} or {@code jdbc:postgresql:...}
     * @param user     the database user, if the database wants one
     * @param password its password (never logged)
     */
    public static JdbcReadingStore open(String url, Optional<String> user, Optional<String> password)
            throws IngestException {
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IngestException("database URL must start with jdbc:sqlite: or jdbc:postgresql:, got "
                    + withoutSecrets(url));
        }
        Properties props = new Properties();
        user.ifPresent(u -> props.setProperty("user", u));
        password.ifPresent(p -> props.setProperty("password", p));
        try {
            Connection c = DriverManager.getConnection(url, props);
            try (Statement s = c.createStatement()) {
                if (url.startsWith("jdbc:sqlite:")) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=NORMAL");
                    s.execute("PRAGMA busy_timeout=10000");
                }
                createTables(s);
            }
            c.setAutoCommit(false);
            return new JdbcReadingStore(url, c);
        } catch (SQLException e) {
            throw new IngestException("cannot open the database " + withoutSecrets(url) + ": " + e.getMessage(), e);
        }
    }

    /**
     * PostgreSQL: two instances starting together may both try to create a table, and one fails on the
     * catalog's unique index although {@code IF NOT EXISTS}; the second try sees the table.
     */
    private static void createTables(Statement s) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                s.execute(CREATE_READINGS);
                s.execute(CREATE_EVENTS);
                return;
            } catch (SQLException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Written write(List<DeviceReadings> readings, List<DeviceEvent> events) throws IngestException {
        try {
            long[] r = insertReadings(readings);
            long[] e = insertEvents(events);
            connection.commit();
            return new Written(r[0], r[1], e[0], e[1]);
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection may be gone; the next write reports it
            }
            throw new IngestException("write to " + withoutSecrets(url) + " failed: " + e.getMessage(), e);
        }
    }

    private long[] insertReadings(List<DeviceReadings> readings) throws SQLException {
        if (readings.isEmpty()) {
            return new long[2];
        }
        try (PreparedStatement p = connection.prepareStatement(INSERT_READING)) {
            for (DeviceReadings d : readings) {
                for (TelemetryRecord r : d.readings()) {
                    p.setString(1, d.device());
                    p.setLong(2, r.seq());
                    p.setString(3, r.channelId());
                    p.setLong(4, r.timestampMillis());
                    if (Double.isNaN(r.value())) {
                        p.setNull(5, Types.DOUBLE);
                    } else {
                        p.setDouble(5, r.value());
                    }
                    p.setInt(6, r.qualityCode());
                    p.addBatch();
                }
            }
            return count(p.executeBatch());
        }
    }

    private long[] insertEvents(List<DeviceEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return new long[2];
        }
        try (PreparedStatement p = connection.prepareStatement(INSERT_EVENT)) {
            for (DeviceEvent d : events) {
                StoredEvent e = d.event();
                p.setString(1, d.device());
                p.setLong(2, e.seq());
                p.setLong(3, e.atMillis());
                p.setString(4, e.kind());
                p.setString(5, e.severity());
                p.setString(6, e.message());
                p.addBatch();
            }
            return count(p.executeBatch());
        }
    }

    /** Inserted and skipped rows from a batch's update counts. */
    private static long[] count(int[] updates) {
        long inserted = 0;
        long skipped = 0;
        for (int u : updates) {
            if (u > 0 || u == Statement.SUCCESS_NO_INFO) {
                inserted++;
            } else {
                skipped++;
            }
        }
        return new long[] {inserted, skipped};
    }

    @Override
    public List<Gap> gaps() throws IngestException {
        List<Gap> gaps = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(GAPS)) {
            while (rs.next()) {
                gaps.add(new Gap(rs.getString(1), rs.getLong(2), rs.getLong(3)));
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IngestException("gap query on " + withoutSecrets(url) + " failed: " + e.getMessage(), e);
        }
        return gaps;
    }

    @Override
    public List<StreamSummary> summary() throws IngestException {
        Map<String, Long> events = new HashMap<>();
        List<StreamSummary> out = new ArrayList<>();
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT device, COUNT(*) FROM events GROUP BY device")) {
                while (rs.next()) {
                    events.put(rs.getString(1), rs.getLong(2));
                }
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT device, COUNT(*), MIN(seq), MAX(seq) FROM readings GROUP BY device ORDER BY device")) {
                while (rs.next()) {
                    String device = rs.getString(1);
                    out.add(new StreamSummary(device, rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            events.getOrDefault(device, 0L)));
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IngestException("summary query on " + withoutSecrets(url) + " failed: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            org.tinylog.Logger.warn("database close failed url={} error={}", withoutSecrets(url), e.getMessage());
        }
    }

    /** The URL without a {@code password=} parameter, for messages. */
    public static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
